package io.batpak.engine.gate;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.util.Map;

/**
 * Why a {@link Gate} refused an append: the gate's name, a stable machine-readable code, a message
 * for people, and optional key/value context. Denials are returned to the caller and never written
 * to the log (storing them would let anyone fill the log by sending refused requests). Immutable.
 */
public record Denial(String gate, String code, String message, Map<String, String> context) {
    public Denial {
        if (gate == null || code == null || message == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a denial needs a gate, a code and a message");
        }
        context = context == null ? Map.of() : Map.copyOf(context);
    }

    public Denial(String gate, String code, String message) {
        this(gate, code, message, Map.of());
    }

    @Override
    public String toString() {
        return "[" + gate + "] " + code + ": " + message + (context.isEmpty() ? "" : " " + context);
    }
}
