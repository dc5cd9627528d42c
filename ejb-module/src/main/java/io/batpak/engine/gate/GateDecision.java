package io.batpak.engine.gate;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;

/**
 * The outcome of {@link GateSet#evaluate}: either every gate passed and the {@link Receipt} may be
 * appended, or the first gate that refused says why. Immutable.
 */
public sealed interface GateDecision permits GateDecision.Passed, GateDecision.Denied {

    /** Every gate passed; append the receipt with {@link EventStore#append(Receipt)}. */
    record Passed(Receipt receipt) implements GateDecision {
        public Passed {
            if (receipt == null) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "a passed decision needs its receipt");
            }
        }
    }

    /** A gate refused; nothing was or will be stored. */
    record Denied(Denial denial) implements GateDecision {
        public Denied {
            if (denial == null) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "a denied decision needs its denial");
            }
        }
    }

    default boolean passed() {
        return this instanceof Passed;
    }
}
