package io.batpak.engine;

import io.batpak.engine.log.FrameCodec;
import io.batpak.engine.log.SegmentHeader;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * Every tuning knob of a store, validated on construction. Immutable; start from
 * {@link #defaults(Path)} and change with the {@code with*} methods.
 *
 * @param writerExecutor runs the store's two long-running loops (the writer and its fsync stage);
 *        {@code null} means the engine starts its own platform threads. Application servers pass
 *        a managed executor, which must be able to run both at once.
 * @param wallClockMs the wall clock in Unix milliseconds (injectable for tests)
 */
public record StoreConfig(Path dataDir, SyncMode syncMode, long syncIntervalMs, long segmentMaxBytes,
                          int writerQueueCapacity, int maxPayloadBytes, long checkpointIntervalEvents,
                          int readerOpenFiles, Executor writerExecutor, LongSupplier wallClockMs) {
    public static final long DEFAULT_SEGMENT_MAX_BYTES = 256L << 20;
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

    public StoreConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(syncMode, "syncMode");
        require(syncIntervalMs >= 1, "syncIntervalMs must be at least 1");
        require(segmentMaxBytes >= 4096 && segmentMaxBytes <= SegmentHeader.MAX_SEGMENT_BYTES,
                "segmentMaxBytes must be within 4096.." + SegmentHeader.MAX_SEGMENT_BYTES);
        require(writerQueueCapacity >= 1, "writerQueueCapacity must be at least 1");
        require(maxPayloadBytes >= 0 && maxPayloadBytes <= FrameCodec.MAX_BODY_BYTES - 64 * 1024,
                "maxPayloadBytes must be within 0.." + (FrameCodec.MAX_BODY_BYTES - 64 * 1024));
        require(checkpointIntervalEvents >= 0, "checkpointIntervalEvents must be 0 (off) or more");
        require(readerOpenFiles >= 1, "readerOpenFiles must be at least 1");
        wallClockMs = wallClockMs == null ? System::currentTimeMillis : wallClockMs;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, message);
        }
    }

    /** Defaults: fsync every commit, 256 MiB segments, queue 4096, 1 MiB payloads, checkpoint every 1M events. */
    public static StoreConfig defaults(Path dataDir) {
        return new StoreConfig(dataDir, SyncMode.EVERY_COMMIT, 100, DEFAULT_SEGMENT_MAX_BYTES, 4096,
                DEFAULT_MAX_PAYLOAD_BYTES, 1_000_000, 64, null, null);
    }

    public StoreConfig withSyncMode(SyncMode mode) {
        return new StoreConfig(dataDir, mode, syncIntervalMs, segmentMaxBytes, writerQueueCapacity, maxPayloadBytes,
                checkpointIntervalEvents, readerOpenFiles, writerExecutor, wallClockMs);
    }

    public StoreConfig withSyncIntervalMs(long ms) {
        return new StoreConfig(dataDir, syncMode, ms, segmentMaxBytes, writerQueueCapacity, maxPayloadBytes,
                checkpointIntervalEvents, readerOpenFiles, writerExecutor, wallClockMs);
    }

    public StoreConfig withSegmentMaxBytes(long bytes) {
        return new StoreConfig(dataDir, syncMode, syncIntervalMs, bytes, writerQueueCapacity, maxPayloadBytes,
                checkpointIntervalEvents, readerOpenFiles, writerExecutor, wallClockMs);
    }

    public StoreConfig withWriterQueueCapacity(int capacity) {
        return new StoreConfig(dataDir, syncMode, syncIntervalMs, segmentMaxBytes, capacity, maxPayloadBytes,
                checkpointIntervalEvents, readerOpenFiles, writerExecutor, wallClockMs);
    }

    public StoreConfig withMaxPayloadBytes(int bytes) {
        return new StoreConfig(dataDir, syncMode, syncIntervalMs, segmentMaxBytes, writerQueueCapacity, bytes,
                checkpointIntervalEvents, readerOpenFiles, writerExecutor, wallClockMs);
    }

    public StoreConfig withCheckpointIntervalEvents(long events) {
        return new StoreConfig(dataDir, syncMode, syncIntervalMs, segmentMaxBytes, writerQueueCapacity, maxPayloadBytes,
                events, readerOpenFiles, writerExecutor, wallClockMs);
    }

    public StoreConfig withReaderOpenFiles(int files) {
        return new StoreConfig(dataDir, syncMode, syncIntervalMs, segmentMaxBytes, writerQueueCapacity, maxPayloadBytes,
                checkpointIntervalEvents, files, writerExecutor, wallClockMs);
    }

    public StoreConfig withWriterExecutor(Executor executor) {
        return new StoreConfig(dataDir, syncMode, syncIntervalMs, segmentMaxBytes, writerQueueCapacity, maxPayloadBytes,
                checkpointIntervalEvents, readerOpenFiles, executor, wallClockMs);
    }

    public StoreConfig withWallClock(LongSupplier clockMs) {
        return new StoreConfig(dataDir, syncMode, syncIntervalMs, segmentMaxBytes, writerQueueCapacity, maxPayloadBytes,
                checkpointIntervalEvents, readerOpenFiles, writerExecutor, clockMs);
    }
}
