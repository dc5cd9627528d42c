package io.batpak.engine.util;

import java.io.OutputStream;
import java.util.Arrays;

/** A byte sink whose backing array is reachable without a copy. Not thread-safe. */
public final class GrowableBuffer extends OutputStream {
    private byte[] bytes;
    private int size;

    public GrowableBuffer(int initialCapacity) {
        bytes = new byte[initialCapacity];
    }

    @Override
    public void write(int b) {
        ensure(1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    private void ensure(int extra) {
        if (size + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
        }
    }

    /** Appends {@code value} big-endian. */
    public void appendInt(int value) {
        ensure(4);
        putInt(size, value);
        size += 4;
    }

    /** Appends {@code value} big-endian. */
    public void appendLong(long value) {
        appendInt((int) (value >>> 32));
        appendInt((int) value);
    }

    public void putInt(int at, int value) {
        bytes[at] = (byte) (value >>> 24);
        bytes[at + 1] = (byte) (value >>> 16);
        bytes[at + 2] = (byte) (value >>> 8);
        bytes[at + 3] = (byte) value;
    }

    public byte[] array() {
        return bytes;
    }

    public int size() {
        return size;
    }

    /** Forgets everything after {@code newSize} bytes. */
    public void rewindTo(int newSize) {
        if (newSize < 0 || newSize > size) {
            throw new IllegalArgumentException("cannot rewind to " + newSize + " of " + size);
        }
        size = newSize;
    }

    public void reset() {
        size = 0;
    }
}
