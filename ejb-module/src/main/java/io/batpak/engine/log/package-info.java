/**
 * The log on disk: the writer thread and its command queue ({@code LogWriter},
 * {@code WriterQueue}, {@code WriterCommand}), group staging ({@code GroupStager}), the fsync stage
 * ({@code SyncStage}), segment writing and rotation ({@code SegmentAppender},
 * {@code CrcChannelSink}), checkpoints written off the writer thread ({@code CheckpointStage}),
 * segment files and their headers, the frame format ({@code FrameCodec},
 * {@code FrameReader}, {@code SegmentReader}, {@code SegmentScanner}, {@code LogRecord}), the
 * chain hash ({@code EventHasher}), recovery on open ({@code LogRecovery}), the index checkpoint
 * ({@code CheckpointFile}), compaction and store snapshots ({@code Compactor},
 * {@code Maintenance}, {@code SnapshotWriter}), damage handling ({@code Quarantine}), the data
 * directory lock and the offline format upgrade ({@code FormatUpgrade}, run with
 * {@code java -cp 'WEB-INF/lib/*' io.batpak.engine.log.FormatUpgrade}).
 *
 * <p>Guarantees: only the writer thread appends to a segment; an append is acknowledged after
 * its frames are written (and, as the {@code SyncMode} says, fsynced); every frame is
 * length-prefixed and CRC-checked, and recovery cuts the log back to the last whole, valid frame
 * (refusing to open on damage before valid frames, except a reordered unforced tail under fsync
 * interval or never, whose cut bytes it keeps in {@code quarantine/}).
 * Not thread-safe unless a class says so; the {@code EventStore} facade is the only intended
 * caller. These types are public only so the facade in the parent package can reach them; they
 * are not API and may change at any time.
 *
 * <p>May use: {@code io.batpak.engine} (value types, exceptions), {@code io.batpak.engine.index},
 * {@code io.batpak.engine.subscription} (to publish committed events) and
 * {@code io.batpak.engine.util}. Not {@code projection} or {@code gate}, and nothing outside the
 * engine.
 */
package io.batpak.engine.log;
