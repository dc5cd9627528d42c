package io.batpak.engine;

import io.batpak.engine.gate.ClientAppends;

/**
 * A 16-bit event type. Its category is the top 4 bits. Categories {@code 0x0} (system) and
 * {@code 0xD} (effects) are reserved to the store: client appends with them are refused.
 * Immutable.
 */
public record EventKind(int value) {
    public static final int SYSTEM_CATEGORY = 0x0;
    public static final int EFFECT_CATEGORY = 0xD;
    /** The store's own bookkeeping (streams, groups, …): written by the store, refused from clients ({@link ClientAppends}). */
    public static final int BOOKKEEPING_CATEGORY = 0xE;

    public EventKind {
        if (value < 0 || value > 0xFFFF) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "kind must be within 0..65535, was " + value);
        }
    }

    /** A kind from its category (0..15) and type within the category (0..4095). */
    public static EventKind of(int category, int type) {
        if (category < 0 || category > 0xF || type < 0 || type > 0xFFF) {
            throw new StoreException(ErrorCode.INVALID_REQUEST,
                    "category must be 0..15 and type 0..4095, was " + category + "/" + type);
        }
        return new EventKind(category << 12 | type);
    }

    /** The top 4 bits. */
    public int category() {
        return value >>> 12;
    }

    /** The low 12 bits. */
    public int type() {
        return value & 0xFFF;
    }

    /** Whether this kind belongs to a category only the store itself may append. */
    public boolean isReserved() {
        int c = category();
        return c == SYSTEM_CATEGORY || c == EFFECT_CATEGORY;
    }

    @Override
    public String toString() {
        return String.format("0x%04X", value);
    }
}
