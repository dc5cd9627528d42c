package io.batpak.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What a step produced: a value ({@link Ok}), a failure ({@link Err}), a request to try again
 * later ({@link Retry}), a wait for some condition ({@link Pending}), a deliberate stop
 * ({@link Cancelled}), or several outcomes at once ({@link Batch}).
 *
 * <p>The algebra: {@link #map} and {@link #flatMap} act on {@code Ok} values, pass every other
 * non-batch variant through unchanged, and distribute over {@code Batch} element by element
 * (keeping its shape). With these rules {@code Outcome} is a lawful functor and monad: the identity,
 * composition, left identity, right identity and associativity laws hold for every outcome,
 * nested batches included ({@code OutcomeProperties} checks them). {@link #zip}, {@link #joinAll}
 * and {@link #joinAny} combine several outcomes; their precedence rules are on each method.
 *
 * <p>Every variant is an immutable record whose equality is structural (an {@code Ok} compares its
 * value with {@code equals}); outcomes are safe to share between threads when their values are.
 * Functions passed to the combinators are called on the caller's thread, at most once per
 * {@code Ok} they meet.
 *
 * @param <T> the type of the value an {@code Ok} carries
 */
public sealed interface Outcome<T> {

    /** A successful step and its value ({@code null} is allowed, for steps without one). */
    record Ok<T>(T value) implements Outcome<T> {
    }

    /** A failed step. */
    record Err<T>(OutcomeError error) implements Outcome<T> {
        public Err {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * A step to try again after {@code afterMs} milliseconds; {@code attempt} counts from 1 and
     * never exceeds {@code maxAttempts}.
     */
    record Retry<T>(long afterMs, int attempt, int maxAttempts, String reason) implements Outcome<T> {
        public Retry {
            if (afterMs < 0 || attempt < 1 || maxAttempts < attempt) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "retry needs afterMs >= 0 and 1 <= attempt <= "
                        + "maxAttempts, was " + afterMs + ", " + attempt + ", " + maxAttempts);
            }
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** A step waiting for {@code condition}; {@code resumeToken} identifies it when it resumes. */
    record Pending<T>(WaitCondition condition, UUID resumeToken) implements Outcome<T> {
        public Pending {
            Objects.requireNonNull(condition, "condition");
            Objects.requireNonNull(resumeToken, "resumeToken");
        }
    }

    /** A step stopped on purpose; not a failure. */
    record Cancelled<T>(String reason) implements Outcome<T> {
        public Cancelled {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Several outcomes produced together, in order. */
    record Batch<T>(List<Outcome<T>> items) implements Outcome<T> {
        public Batch {
            items = List.copyOf(items);
        }
    }

    static <T> Outcome<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Outcome<T> err(OutcomeError error) {
        return new Err<>(error);
    }

    static <T> Outcome<T> err(String code, String message) {
        return new Err<>(OutcomeError.of(code, message));
    }

    static <T> Outcome<T> retry(long afterMs, int attempt, int maxAttempts, String reason) {
        return new Retry<>(afterMs, attempt, maxAttempts, reason);
    }

    static <T> Outcome<T> pending(WaitCondition condition, UUID resumeToken) {
        return new Pending<>(condition, resumeToken);
    }

    static <T> Outcome<T> cancelled(String reason) {
        return new Cancelled<>(reason);
    }

    static <T> Outcome<T> batch(List<Outcome<T>> items) {
        return new Batch<>(items);
    }

    /** Whether this is an {@code Ok}. */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /** Applies {@code f} to the value of every {@code Ok}, including those inside batches. */
    default <U> Outcome<U> map(Function<? super T, ? extends U> f) {
        if (this instanceof Ok<T> ok) {
            return new Ok<>(f.apply(ok.value()));
        }
        if (this instanceof Batch<T> b) {
            List<Outcome<U>> out = new ArrayList<>(b.items().size());
            for (Outcome<T> item : b.items()) {
                out.add(item.map(f));
            }
            return new Batch<>(out);
        }
        return Outcome.retype(this);
    }

    /** Replaces every {@code Ok}, including those inside batches, with the outcome {@code f} gives for its value. */
    default <U> Outcome<U> flatMap(Function<? super T, ? extends Outcome<U>> f) {
        if (this instanceof Ok<T> ok) {
            return Objects.requireNonNull(f.apply(ok.value()), "flatMap function returned null");
        }
        if (this instanceof Batch<T> b) {
            List<Outcome<U>> out = new ArrayList<>(b.items().size());
            for (Outcome<T> item : b.items()) {
                out.add(item.flatMap(f));
            }
            return new Batch<>(out);
        }
        return Outcome.retype(this);
    }

    /**
     * Combines two outcomes. Two {@code Ok}s give {@code Ok(combine(a, b))}. Otherwise the variant
     * of higher precedence wins, {@code Err > Cancelled > Retry > Pending > Batch}, and of two with
     * the same precedence the first argument's. Two batches are zipped element by element (different
     * lengths are an {@code Err} with code {@code batch-length-mismatch}); a batch and an {@code Ok}
     * zip the {@code Ok} with each element. So {@code zip(ok(x), m, (x, y) -> y)} equals {@code m}.
     */
    static <A, B, R> Outcome<R> zip(Outcome<A> a, Outcome<B> b, BiFunction<? super A, ? super B, ? extends R> combine) {
        if (a instanceof Ok<A> x && b instanceof Ok<B> y) {
            return new Ok<>(combine.apply(x.value(), y.value()));
        }
        int ra = rank(a);
        int rb = rank(b);
        if (Math.max(ra, rb) > 1) { // a variant above Batch decides
            return Outcome.retype(ra >= rb ? a : b);
        }
        // Both are Ok or Batch, and not both Ok.
        List<Outcome<R>> out = new ArrayList<>();
        if (a instanceof Batch<A> ba && b instanceof Batch<B> bb) {
            if (ba.items().size() != bb.items().size()) {
                return err("batch-length-mismatch", "cannot zip a batch of " + ba.items().size()
                        + " outcomes with one of " + bb.items().size());
            }
            for (int i = 0; i < ba.items().size(); i++) {
                out.add(zip(ba.items().get(i), bb.items().get(i), combine));
            }
        } else if (a instanceof Batch<A> ba) {
            for (Outcome<A> item : ba.items()) {
                out.add(zip(item, b, combine));
            }
        } else {
            for (Outcome<B> item : ((Batch<B>) b).items()) {
                out.add(zip(a, item, combine));
            }
        }
        return new Batch<>(out);
    }

    /**
     * All values or the first reason there are none: {@code Ok} of every value in order when every
     * outcome is {@code Ok}, batches being flattened into the list; otherwise the first outcome,
     * depth first, that is not {@code Ok} (whatever its variant). An empty list gives {@code Ok} of
     * an empty list.
     */
    static <T> Outcome<List<T>> joinAll(List<? extends Outcome<T>> outcomes) {
        List<T> values = new ArrayList<>(outcomes.size());
        Outcome<List<T>> stop = collectAll(outcomes, values);
        return stop != null ? stop : new Ok<>(values);
    }

    private static <T> Outcome<List<T>> collectAll(List<? extends Outcome<T>> outcomes, List<T> values) {
        for (Outcome<T> o : outcomes) {
            if (o instanceof Ok<T> ok) {
                values.add(ok.value());
            } else if (o instanceof Batch<T> b) {
                Outcome<List<T>> stop = collectAll(b.items(), values);
                if (stop != null) {
                    return stop;
                }
            } else {
                return Outcome.retype(o);
            }
        }
        return null;
    }

    /**
     * The first success: the first {@code Ok}, depth first through batches. A {@code Retry},
     * {@code Pending} or {@code Cancelled} met before any {@code Ok} is returned at once (the
     * alternatives after it are not decided yet); {@code Err}s are skipped, and when nothing else
     * is found the last {@code Err} is returned. No outcomes at all give an {@code Err} with code
     * {@code empty-join}.
     */
    static <T> Outcome<T> joinAny(List<? extends Outcome<T>> outcomes) {
        @SuppressWarnings("unchecked")
        Outcome<T>[] lastErr = new Outcome[1];
        Outcome<T> found = firstDecisive(outcomes, lastErr);
        if (found != null) {
            return found;
        }
        return lastErr[0] != null ? lastErr[0] : err("empty-join", "joinAny of no outcomes");
    }

    /** The first leaf that is neither Err nor Batch, or null; records the last Err passed in {@code lastErr[0]}. */
    private static <T> Outcome<T> firstDecisive(List<? extends Outcome<T>> outcomes, Outcome<T>[] lastErr) {
        for (Outcome<T> o : outcomes) {
            if (o instanceof Batch<T> b) {
                Outcome<T> inner = firstDecisive(b.items(), lastErr);
                if (inner != null) {
                    return inner;
                }
            } else if (o instanceof Err<T>) {
                lastErr[0] = o;
            } else {
                return o;
            }
        }
        return null;
    }

    /** Precedence of a variant in {@link #zip}: higher wins; Batch is 1 and Ok 0. */
    private static int rank(Outcome<?> o) {
        if (o instanceof Err<?>) {
            return 5;
        } else if (o instanceof Cancelled<?>) {
            return 4;
        } else if (o instanceof Retry<?>) {
            return 3;
        } else if (o instanceof Pending<?>) {
            return 2;
        } else if (o instanceof Batch<?>) {
            return 1;
        }
        return 0;
    }

    /** The same value-free variant at another value type; only called on Err, Retry, Pending and Cancelled. */
    @SuppressWarnings("unchecked")
    private static <U> Outcome<U> retype(Outcome<?> valueFree) {
        return (Outcome<U>) valueFree;
    }
}
