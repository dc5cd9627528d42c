package io.batpak.engine;

import java.nio.file.Path;

/**
 * Stored bytes failed validation (checksum, length, magic, version or decoding). The message
 * names the file and byte offset so an operator can find the damage; the engine never skips
 * such data silently.
 */
public final class CorruptLogException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;

    public CorruptLogException(Path file, long offset, String detail) {
        super(ErrorCode.CORRUPT_DATA, file + " at offset " + offset + ": " + detail);
        this.file = file;
        this.offset = offset;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }

    /** Byte offset in {@link #file()} where the damaged structure starts. */
    public long offset() {
        return offset;
    }
}
