package io.batpak.engine.gate;

import java.util.Optional;

/**
 * A named predicate that decides whether one event may be appended. A gate inspects its
 * {@link AppendContext} and either lets it pass ({@link Optional#empty()}) or explains why not with
 * a {@link Denial}. Gates are predicates, not transformers: they must not change anything, perform
 * I/O with side effects, or depend on evaluation order of other gates.
 *
 * <p>Threading: implementations must be thread-safe; one {@link GateSet} evaluates its gates
 * concurrently for any number of callers.
 */
public interface Gate {
    /** A stable name, reported in {@link Denial#gate()} and {@link Receipt#gatesPassed()}. */
    String name();

    /** Empty if the event may be appended, otherwise the reason it may not. */
    Optional<Denial> evaluate(AppendContext context);
}
