package io.batpak.engine;

import java.nio.charset.StandardCharsets;

/**
 * Where an event lives: an entity (whose events form one hash chain with gap-free sequences)
 * within a scope (an isolation boundary). Both parts are non-empty, at most
 * {@value #MAX_UTF8_BYTES} UTF-8 bytes, and free of control characters. Immutable.
 */
public record Coordinate(String entity, String scope) {
    /** Longest entity or scope, in UTF-8 bytes. */
    public static final int MAX_UTF8_BYTES = 1024;

    public Coordinate {
        validatePart("entity", entity);
        validatePart("scope", scope);
    }

    /** Validates one coordinate part with the same rules the constructor applies. */
    public static void validatePart(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new StoreException(ErrorCode.INVALID_COORDINATE, what + " must not be empty");
        }
        if (value.length() > MAX_UTF8_BYTES || value.getBytes(StandardCharsets.UTF_8).length > MAX_UTF8_BYTES) {
            throw new StoreException(ErrorCode.INVALID_COORDINATE,
                    what + " is longer than " + MAX_UTF8_BYTES + " UTF-8 bytes");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new StoreException(ErrorCode.INVALID_COORDINATE,
                        what + " holds a control character at index " + i);
            }
            if (Character.isSurrogate(c)) {
                boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                        && Character.isLowSurrogate(value.charAt(i + 1));
                if (!paired) {
                    throw new StoreException(ErrorCode.INVALID_COORDINATE,
                            what + " holds an unpaired surrogate at index " + i);
                }
                i++;
            }
        }
    }

    @Override
    public String toString() {
        return entity + "@" + scope;
    }
}
