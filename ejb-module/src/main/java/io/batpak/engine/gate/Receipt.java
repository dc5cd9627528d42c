package io.batpak.engine.gate;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Proof that a list of append requests passed a {@link GateSet} (or was let through by
 * {@link GateSet#bypass} with a recorded reason), carrying exactly those requests. It closes the
 * gap between check and use: the requests are an immutable copy taken before evaluation, so what
 * is appended is what the gates saw.
 *
 * <p>Guarantees: only a {@link GateSet} can create a receipt — the constructor requires a
 * {@link GateSet.Seal}, whose constructor is private to {@code GateSet}, so not even code in this
 * package can forge one. A receipt authorises one append: {@link EventStore#append(Receipt)}
 * consumes it on its first call, whether that append then succeeds or not, and every later call
 * fails with {@link ErrorCode#RECEIPT_CONSUMED}. Not cloneable, not serializable.
 *
 * <p>Threading: thread-safe; if several threads present the same receipt at once, exactly one of
 * them consumes it.
 */
public final class Receipt {
    private final List<AppendRequest> requests;
    private final List<String> gatesPassed;
    private final String bypassReason;
    private final AtomicBoolean consumed = new AtomicBoolean();

    Receipt(GateSet.Seal seal, List<AppendRequest> requests, List<String> gatesPassed, String bypassReason) {
        if (seal == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "receipts are issued only by a GateSet");
        }
        this.requests = List.copyOf(requests);
        this.gatesPassed = List.copyOf(gatesPassed);
        this.bypassReason = bypassReason;
    }

    /** The requests the gates evaluated, in order; unmodifiable, and each request is immutable. */
    public List<AppendRequest> requests() {
        return requests;
    }

    /** Names of the gates that passed, in evaluation order; empty for a bypass. */
    public List<String> gatesPassed() {
        return gatesPassed;
    }

    /** The reason the gates were bypassed, recorded with every event of the append; empty if the gates ran. */
    public Optional<String> bypassReason() {
        return Optional.ofNullable(bypassReason);
    }

    /** Whether an append has already used this receipt. */
    public boolean isConsumed() {
        return consumed.get();
    }

    /** Marks the receipt used and returns its requests; fails if it was used before. */
    public List<AppendRequest> consume() {
        if (!consumed.compareAndSet(false, true)) {
            throw new StoreException(ErrorCode.RECEIPT_CONSUMED,
                    "this receipt was already used for an append; evaluate the gates again for another");
        }
        return requests;
    }

    @Override
    public String toString() {
        return "Receipt[" + requests.size() + " requests, gates=" + gatesPassed
                + (bypassReason == null ? "" : ", bypass=" + bypassReason) + (consumed.get() ? ", consumed" : "") + "]";
    }
}
