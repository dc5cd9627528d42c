package io.batpak.engine.gate;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An ordered list of {@link Gate}s that every append must pass, and the only issuer of
 * {@link Receipt}s. Evaluation is gate-major: the first gate is asked about every request of the
 * batch, then the second, and so on, so a denial always comes from the earliest gate in list order
 * that refuses any request. {@link #evaluate} stops at the first denial; {@link #evaluateAll} asks
 * every gate about every request and returns all denials, for observability. Denials are returned,
 * never stored.
 *
 * <p>A gate that throws, or returns {@code null}, is treated as a denial with code
 * {@value #GATE_ERROR}: a broken gate fails closed.
 *
 * <p>Immutable and thread-safe, provided the gates are.
 */
public final class GateSet {
    /** Denial code reported when a gate throws instead of deciding. */
    public static final String GATE_ERROR = "gate-error";
    /** Longest bypass reason, in UTF-8 bytes. */
    public static final int MAX_BYPASS_REASON_BYTES = 255;
    private static final GateSet EMPTY = new GateSet(List.of());

    private final List<Gate> gates;
    private final List<String> names;

    /** The capability to create a {@link Receipt}; only this class can make one. */
    static final class Seal {
        private Seal() {
        }
    }

    private static final Seal SEAL = new Seal();

    private GateSet(List<Gate> gates) {
        this.gates = gates;
        List<String> n = new ArrayList<>(gates.size());
        for (Gate g : gates) {
            n.add(g.name());
        }
        this.names = List.copyOf(n);
    }

    /** A gate set evaluating {@code gates} in list order. */
    public static GateSet of(List<? extends Gate> gates) {
        if (gates == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "gates must not be null");
        }
        for (Gate g : gates) {
            if (g == null || g.name() == null || g.name().isBlank()) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "every gate needs a non-blank name");
            }
        }
        return new GateSet(List.copyOf(gates));
    }

    /** A gate set with no gates: every request passes. */
    public static GateSet empty() {
        return EMPTY;
    }

    /** The gates' names in evaluation order. */
    public List<String> names() {
        return names;
    }

    public int size() {
        return gates.size();
    }

    /** Evaluates the gates in order, stopping at the first denial; passing yields a receipt holding the requests. */
    public GateDecision evaluate(List<AppendRequest> requests, Caller caller) {
        List<AppendRequest> copy = checkedCopy(requests);
        Caller who = caller == null ? Caller.ANONYMOUS : caller;
        for (Gate g : gates) {
            for (int i = 0; i < copy.size(); i++) {
                Optional<Denial> d = ask(g, new AppendContext(copy.get(i), i, copy.size(), who));
                if (d.isPresent()) {
                    return new GateDecision.Denied(d.get());
                }
            }
        }
        return new GateDecision.Passed(new Receipt(SEAL, copy, names, null));
    }

    /** Asks every gate about every request and returns all denials (empty if all pass); issues no receipt. */
    public List<Denial> evaluateAll(List<AppendRequest> requests, Caller caller) {
        List<AppendRequest> copy = checkedCopy(requests);
        Caller who = caller == null ? Caller.ANONYMOUS : caller;
        List<Denial> out = new ArrayList<>();
        for (Gate g : gates) {
            for (int i = 0; i < copy.size(); i++) {
                ask(g, new AppendContext(copy.get(i), i, copy.size(), who)).ifPresent(out::add);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Issues a receipt without evaluating the gates. The reason is required (non-blank, at most
     * {@value #MAX_BYPASS_REASON_BYTES} UTF-8 bytes, no control characters) and is stored with
     * every appended event ({@link StoredEvent#bypassReason()}), so bypasses can be audited.
     */
    public Receipt bypass(List<AppendRequest> requests, String reason) {
        checkBypassReason(reason);
        return new Receipt(SEAL, checkedCopy(requests), List.of(), reason);
    }

    static void checkBypassReason(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a bypass needs a non-blank reason");
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length > MAX_BYPASS_REASON_BYTES) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "a bypass reason holds at most " + MAX_BYPASS_REASON_BYTES + " UTF-8 bytes");
        }
        if (reason.chars().anyMatch(Character::isISOControl)) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a bypass reason must not hold control characters");
        }
    }

    private static Optional<Denial> ask(Gate g, AppendContext context) {
        Optional<Denial> d;
        try {
            d = g.evaluate(context);
        } catch (RuntimeException e) {
            return Optional.of(new Denial(g.name(), GATE_ERROR, "gate failed: " + e,
                    Map.of("exception", e.getClass().getName())));
        }
        if (d == null) {
            return Optional.of(new Denial(g.name(), GATE_ERROR, "gate returned null instead of a decision"));
        }
        return d;
    }

    /**
     * Copies and checks the batch up front, so a receipt is never issued for requests the store
     * would refuse whatever its state (batch size, reserved kinds).
     */
    private static List<AppendRequest> checkedCopy(List<AppendRequest> requests) {
        if (requests == null || requests.isEmpty() || requests.size() > EventStore.MAX_BATCH_EVENTS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a receipt covers 1.." + EventStore.MAX_BATCH_EVENTS
                    + " requests, this one " + (requests == null ? 0 : requests.size()));
        }
        for (AppendRequest r : requests) {
            if (r == null) {
                throw new StoreException(ErrorCode.INVALID_REQUEST, "a receipt's requests must not be null");
            }
        }
        List<AppendRequest> copy = List.copyOf(requests);
        for (AppendRequest r : copy) {
            if (r.kind().isReserved()) {
                throw new StoreException(ErrorCode.RESERVED_KIND, "kind " + r.kind() + " is reserved to the store");
            }
        }
        return copy;
    }
}
