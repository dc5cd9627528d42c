package io.batpak.engine;

/**
 * A compare-and-swap append found the entity at another sequence than expected. Nothing of the
 * request (or of its batch) was stored. {@code actual} is -1 when the entity has no events.
 */
public final class SequenceMismatchException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final String entity;
    private final long expected;
    private final long actual;

    public SequenceMismatchException(String entity, long expected, long actual) {
        super(ErrorCode.SEQUENCE_MISMATCH,
                "entity '" + entity + "' expected last sequence " + expected + " but it is " + actual);
        this.entity = entity;
        this.expected = expected;
        this.actual = actual;
    }

    public String entity() {
        return entity;
    }

    public long expected() {
        return expected;
    }

    public long actual() {
        return actual;
    }
}
