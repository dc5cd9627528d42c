package io.batpak.engine.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A file channel that behaves like a real one until told to fail: writes then throw ENOSPC's
 * message after writing part of the buffer (as a full disk does), fsyncs throw EIO's.
 * Installed through {@link ActiveSegment#installOpener} by the write-failure tests.
 *
 * <p>With a {@link PowerLoss} it also plays the page cache, as lazyfs does for Jepsen: every write
 * and truncation reaches the real file (so readers see it, as they would see the page cache), but
 * is kept apart as "pending" until a {@code force()} that began after it returns. At the simulated
 * power loss the data directory is copied as a disk would hold it: for every file written through
 * these channels only what was forced, plus a random prefix of the pending operations in order,
 * the last of them possibly torn; every other file (checkpoints, compaction output, which the
 * engine writes to a temporary, forces and renames) as it is. After the loss every operation
 * fails with an IOException, so the store stops as a machine without power would.
 */
final class FaultyChannel extends FileChannel {
    private final FileChannel delegate;
    private final Faults faults;
    private final PowerLoss.FileState lazy;

    /** Switches shared by every channel a test opened. */
    static final class Faults {
        volatile boolean failWrites;
        volatile boolean failForce;
        volatile int writesFailed;
    }

    FaultyChannel(FileChannel delegate, Faults faults) {
        this(delegate, faults, null);
    }

    private FaultyChannel(FileChannel delegate, Faults faults, PowerLoss.FileState lazy) {
        this.delegate = delegate;
        this.faults = faults;
        this.lazy = lazy;
    }

    /**
     * The page cache of one simulated machine: what every file written through its channels holds
     * durably, what is still pending, and when the power goes. Install with
     * {@code ActiveSegment.installOpener(dataDir, powerLoss::open)}.
     */
    static final class PowerLoss {
        private final Path dataDir;
        private final Path imageDir;
        private final long crashAtOperation;
        private final java.util.Random random;
        private final Map<Path, FileState> files = new HashMap<>();
        private volatile boolean reorder;
        private long operations;
        private boolean crashed;

        /** A write ({@code bytes} at {@code position}) or, with {@code bytes == null}, a truncation to {@code position}. */
        private record Op(long position, byte[] bytes) {
        }

        /** One file: its durable content (null: the file may not exist after a loss) and what is pending. */
        final class FileState {
            private final Path file;
            private byte[] durable;
            private final List<Op> pending = new ArrayList<>();

            private FileState(Path file, byte[] durable) {
                this.file = file;
                this.durable = durable;
            }

            PowerLoss owner() {
                return PowerLoss.this;
            }
        }

        /**
         * @param dataDir          the store's data directory
         * @param imageDir         where the disk's content at the loss is written (must not exist)
         * @param crashAtOperation the power goes just before the n-th write, truncation or force
         *                         through these channels (1-based; {@code Long.MAX_VALUE}: only at {@link #crashNow})
         * @param seed             picks how much of what is pending reaches the disk
         */
        PowerLoss(Path dataDir, Path imageDir, long crashAtOperation, long seed) {
            this.dataDir = dataDir.toAbsolutePath();
            this.imageDir = imageDir;
            this.crashAtOperation = crashAtOperation;
            this.random = new java.util.Random(seed);
        }

        /** An {@link ActiveSegment.Opener}: opens the real file and tracks it. */
        FileChannel open(Path file, OpenOption... options) throws IOException {
            synchronized (this) {
                if (crashed) {
                    throw lost();
                }
                Path key = file.toAbsolutePath();
                FileState state = files.get(key);
                if (state == null) {
                    // A file not written through these channels yet is durable as it is now.
                    state = new FileState(key, Files.exists(key) ? Files.readAllBytes(key) : null);
                    files.put(key, state);
                }
                FileChannel ch = FileChannel.open(file, options);
                if (Arrays.asList(options).contains(StandardOpenOption.TRUNCATE_EXISTING)) {
                    state.pending.add(new Op(0, null));
                }
                return new FaultyChannel(ch, new Faults(), state);
            }
        }

        /**
         * Pending writes reach the disk in any order, as a page cache writes dirty pages back: at the
         * loss each pending operation is kept or dropped at random (a kept one possibly torn), so a
         * hole can sit before later data.
         */
        PowerLoss reorderWrites() {
            reorder = true;
            return this;
        }

        /** True while some write or truncation has not been forced yet. */
        synchronized boolean hasPending() {
            return files.values().stream().anyMatch(f -> !f.pending.isEmpty());
        }

        /** True once the power went. */
        synchronized boolean crashed() {
            return crashed;
        }

        /** Operations seen so far (to pick a crash point in a second run). */
        synchronized long operations() {
            return operations;
        }

        /** The power goes now (if it has not yet): writes the disk image. */
        synchronized void crashNow() throws IOException {
            if (!crashed) {
                crash();
            }
        }

        private IOException lost() {
            return new IOException("simulated power loss");
        }

        /** Counts one operation; the power goes before the chosen one, which then counts as pending. */
        private synchronized void record(FileState state, Op op) throws IOException {
            if (crashed) {
                throw lost();
            }
            operations++;
            if (op != null) {
                state.pending.add(op);
            }
            if (operations >= crashAtOperation) {
                crash();
                throw lost();
            }
        }

        /** Marks the pending operations up to {@code count} durable (a force that began after them returned). */
        private synchronized void forced(FileState state, int count) throws IOException {
            if (crashed) {
                throw lost();
            }
            byte[] content = state.durable == null ? new byte[0] : state.durable;
            for (Op op : state.pending.subList(0, count)) {
                content = apply(content, op, op.bytes == null ? 0 : op.bytes.length);
            }
            state.durable = content;
            state.pending.subList(0, count).clear();
        }

        /** A channel closed: a file with nothing pending is on the disk as it is and may be replaced (compaction). */
        private synchronized void closed(FileState state) {
            if (state.pending.isEmpty() && !crashed) {
                files.remove(state.file, state);
            }
        }

        private synchronized int pendingCount(FileState state) {
            return state.pending.size();
        }

        private static byte[] apply(byte[] content, Op op, int len) {
            if (op.bytes == null) {
                return Arrays.copyOf(content, (int) Math.min(content.length, op.position));
            }
            int end = (int) op.position + len;
            byte[] out = end > content.length ? Arrays.copyOf(content, end) : content.clone();
            System.arraycopy(op.bytes, 0, out, (int) op.position, len);
            return out;
        }

        private void crash() throws IOException {
            crashed = true;
            Files.createDirectories(imageDir);
            for (Path p : TestFiles.listing(dataDir)) {
                Path target = imageDir.resolve(dataDir.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!files.containsKey(p)) {
                    try {
                        Files.copy(p, target);
                    } catch (java.nio.file.NoSuchFileException renamedMeanwhile) {
                        // a temporary renamed or deleted while the image was taken: it was not on the disk
                    }
                }
            }
            for (FileState f : files.values()) {
                if (!Files.exists(f.file)) {
                    continue; // deleted (compaction, rotation cleanup): the engine forces the directory after a delete
                }
                // A random prefix of the pending operations reaches the disk, the last one possibly torn
                // (reordered: any subset, each kept one possibly torn).
                int keep = f.pending.isEmpty() ? 0 : reorder ? f.pending.size() : random.nextInt(f.pending.size() + 1);
                byte[] content = f.durable;
                for (int i = 0; i < keep; i++) {
                    Op op = f.pending.get(i);
                    if (reorder && random.nextBoolean()) {
                        continue;
                    }
                    int len = op.bytes == null ? 0 : op.bytes.length;
                    if ((reorder || i == keep - 1) && len > 0 && random.nextInt(reorder ? 4 : 1) == 0) {
                        len = random.nextInt(len + 1);
                    }
                    content = apply(content == null ? new byte[0] : content, op, len);
                }
                if (content != null) {
                    Path target = imageDir.resolve(dataDir.relativize(f.file).toString());
                    Files.createDirectories(target.getParent());
                    Files.write(target, content);
                }
            }
        }
    }

    private void recordWrite(ByteBuffer src, long position) throws IOException {
        if (lazy != null) {
            ByteBuffer copy = src.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            lazy.owner().record(lazy, new PowerLoss.Op(position, bytes));
        }
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
        recordWrite(src, position);
        return delegate.write(src, position);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        maybeFail(src, delegate.position());
        recordWrite(src, delegate.position());
        return delegate.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (faults.failWrites) {
            faults.writesFailed++;
            throw new IOException("No space left on device");
        }
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        if (faults.failForce) {
            throw new IOException("Input/output error");
        }
        if (lazy == null) {
            delegate.force(metaData);
            return;
        }
        // Only what was written before the fsync began is durable when it returns.
        PowerLoss owner = lazy.owner();
        int before = owner.pendingCount(lazy);
        owner.record(lazy, null);
        delegate.force(metaData);
        owner.forced(lazy, before);
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
        if (lazy != null) {
            lazy.owner().record(lazy, new PowerLoss.Op(size, null));
        }
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
        if (lazy != null) {
            lazy.owner().closed(lazy);
        }
        delegate.close();
    }
}
