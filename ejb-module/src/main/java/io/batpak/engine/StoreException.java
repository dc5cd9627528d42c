package io.batpak.engine;

/**
 * The single unchecked root of every failure the engine reports. Each instance carries a stable
 * {@link ErrorCode}; I/O exceptions are converted to this type at the boundary where they occur,
 * with the file and position in the message.
 */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public StoreException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public StoreException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The stable classification of this failure. */
    public ErrorCode code() {
        return code;
    }

    /** Whether retrying the same call later may succeed. */
    public boolean isTransient() {
        return code.isTransient();
    }
}
