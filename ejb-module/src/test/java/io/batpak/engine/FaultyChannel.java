package io.batpak.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A file channel that behaves like a real one until told to fail: writes then throw ENOSPC's
 * message after writing part of the buffer (as a full disk does), fsyncs throw EIO's.
 * Installed through {@link ActiveSegment#opener} by the write-failure tests.
 */
final class FaultyChannel extends FileChannel {
    private final FileChannel delegate;
    private final Faults faults;

    /** Switches shared by every channel a test opened. */
    static final class Faults {
        volatile boolean failWrites;
        volatile boolean failForce;
        volatile int writesFailed;
    }

    FaultyChannel(FileChannel delegate, Faults faults) {
        this.delegate = delegate;
        this.faults = faults;
    }

    private int maybeFail(ByteBuffer src, long position) throws IOException {
        if (!faults.failWrites) {
            return -1;
        }
        faults.writesFailed++;
        // Half the bytes reach the file before the disk is full, the way a short write ends in ENOSPC.
        int half = src.remaining() / 2;
        if (half > 0) {
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + half);
            delegate.write(part, position);
        }
        throw new IOException("No space left on device");
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        maybeFail(src, position);
        return delegate.write(src, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        maybeFail(src, delegate.position());
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (faults.failWrites) {
            faults.writesFailed++;
            throw new IOException("No space left on device");
        }
        return delegate.write(srcs, offset, length);
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (faults.failForce) {
            throw new IOException("Input/output error");
        }
        delegate.force(metaData);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return delegate.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return delegate.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return delegate.read(dst, position);
    }

    @Override
    public long position() throws IOException {
        return delegate.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        delegate.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return delegate.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        delegate.truncate(size);
        return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return delegate.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        return delegate.transferFrom(src, position, count);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        return delegate.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return delegate.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return delegate.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        delegate.close();
    }
}
