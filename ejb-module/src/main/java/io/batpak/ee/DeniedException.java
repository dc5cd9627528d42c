package io.batpak.ee;

import io.batpak.engine.gate.Denial;

/**
 * A gate refused an append; nothing was stored. Carries the gate's {@link Denial} (its name, its own
 * code, a message and context), which the HTTP layer answers as 422 {@code denied}.
 */
public final class DeniedException extends RuntimeException {
    private final transient Denial denial;

    public DeniedException(Denial denial) {
        super("denied by gate " + denial.gate() + " (" + denial.code() + "): " + denial.message());
        this.denial = denial;
    }

    public Denial denial() {
        return denial;
    }
}
