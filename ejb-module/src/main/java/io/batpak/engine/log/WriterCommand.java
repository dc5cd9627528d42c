package io.batpak.engine.log;

import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A request to the writer thread. Each is answered exactly once through its future. */
public abstract sealed class WriterCommand permits WriterCommand.Append, WriterCommand.Sync, WriterCommand.Checkpoint,
        WriterCommand.Close, WriterCommand.Task {

    abstract void fail(Throwable t);

    /** One single append ({@code atomic} false, one item) or an atomic batch. */
    public static final class Append extends WriterCommand {
        final List<AppendRequest> items;
        final boolean atomic;
        /** Caller-assigned ids, timestamps and idempotency fingerprints, one per item. */
        final long[] idHi;
        final long[] idLo;
        final long[] timestampUs;
        final long[] fingerprint;
        /** BLAKE3-256 of each payload, computed on the caller's thread. */
        final byte[][] payloadDigests;
        public final CompletableFuture<List<AppendReceipt>> future = new CompletableFuture<>();
        /** Recorded with every item when the gates were bypassed; null otherwise. */
        final String bypassReason;
        /** Checked by the writer before anything is staged; null: unconditional. */
        final AppendCondition condition;

        public Append(List<AppendRequest> items, boolean atomic, long[] idHi, long[] idLo, long[] timestampUs, long[] fingerprint,
               byte[][] payloadDigests) {
            this(items, atomic, idHi, idLo, timestampUs, fingerprint, payloadDigests, null, null);
        }

        public Append(List<AppendRequest> items, boolean atomic, long[] idHi, long[] idLo, long[] timestampUs, long[] fingerprint,
               byte[][] payloadDigests, String bypassReason, AppendCondition condition) {
            this.bypassReason = bypassReason;
            this.condition = condition;
            this.payloadDigests = payloadDigests;
            this.items = items;
            this.atomic = atomic;
            this.idHi = idHi;
            this.idLo = idLo;
            this.timestampUs = timestampUs;
            this.fingerprint = fingerprint;
        }

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    /** Force everything written so far to disk. */
    public static final class Sync extends WriterCommand {
        public final CompletableFuture<Void> future = new CompletableFuture<>();

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    /** Write an index checkpoint now. */
    public static final class Checkpoint extends WriterCommand {
        public final CompletableFuture<Void> future = new CompletableFuture<>();

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    /** Drain, fsync, checkpoint and stop. */
    public static final class Close extends WriterCommand {
        public final CompletableFuture<Void> future = new CompletableFuture<>();

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    /**
     * Maintenance work that must see the log at rest: runs on the writer thread after every append
     * queued before it is durable and published, before any later append is written.
     */
    static final class Task<T> extends WriterCommand {
        final Function<LogWriter, T> action;
        public final CompletableFuture<T> future = new CompletableFuture<>();

        Task(Function<LogWriter, T> action) {
            this.action = action;
        }

        void run(LogWriter writer) {
            try {
                future.complete(action.apply(writer));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }
}
