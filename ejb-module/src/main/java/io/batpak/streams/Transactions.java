package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open transactions: statements gathered in memory until commit. A transaction belongs to the
 * caller that began it: to anybody else its id is unknown, as it is after the transaction commits,
 * aborts or sits idle longer than the timeout. One caller may hold a bounded number open, so
 * abandoned transactions cannot exhaust memory, and the bytes buffered are bounded per statement,
 * transaction, caller and in all ({@link TxLimits}). Open transactions do not survive a restart
 * (nothing of them was written). Thread-safe.
 */
final class Transactions {
    private final Map<String, Tx> open = new ConcurrentHashMap<>();
    private final long idleTimeoutMs;
    private final int maxOpenPerOwner;
    private final TxLimits limits;
    /** Bytes buffered by open transactions, per owner and in all; changed under the owning {@link Tx}'s lock. */
    private final Map<String, java.util.concurrent.atomic.AtomicLong> ownerBytes = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong totalBytes = new java.util.concurrent.atomic.AtomicLong();

    static final class Tx {
        final String id;
        final String owner;
        final List<TxStatement> statements = new ArrayList<>();
        long touched;
        /** Bytes of {@link #statements}; guarded by this Tx's monitor. */
        long bytes;

        Tx(String id, String owner, long now) {
            this.id = id;
            this.owner = owner;
            this.touched = now;
        }
    }

    Transactions(long idleTimeoutMs, int maxOpenPerOwner, TxLimits limits) {
        this.idleTimeoutMs = idleTimeoutMs;
        this.maxOpenPerOwner = maxOpenPerOwner;
        this.limits = limits;
    }

    String begin(String owner, long now) {
        sweep(now);
        // Counted without a lock: concurrent begins of one owner may overshoot by a few, never without bound.
        long held = open.values().stream().filter(tx -> tx.owner.equals(owner)).count();
        if (held >= maxOpenPerOwner) {
            throw new StoreException(ErrorCode.UNAVAILABLE, owner + " already holds " + held
                    + " open transactions (the limit); commit or abort some first");
        }
        String id = UUID.randomUUID().toString();
        open.put(id, new Tx(id, owner, now));
        return id;
    }

    void add(String id, String owner, TxStatement statement, long now) {
        Tx tx = live(id, owner, now);
        synchronized (tx) {
            if (open.get(id) != tx) {
                throw notFound(id);
            }
            if (tx.statements.size() >= EventStore.MAX_BATCH_EVENTS - 1) {
                throw new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, "a transaction holds at most "
                        + (EventStore.MAX_BATCH_EVENTS - 1) + " statements");
            }
            long size = bytesOf(statement);
            reserve(tx, size);
            tx.statements.add(statement);
            tx.bytes += size;
            tx.touched = now;
        }
    }

    /** Removes the transaction for commit and returns its statements; unknown or expired is NOT_FOUND. */
    List<TxStatement> take(String id, String owner, long now) {
        Tx tx = live(id, owner, now);
        synchronized (tx) {
            if (!open.remove(id, tx)) {
                throw notFound(id);
            }
            release(tx);
            return List.copyOf(tx.statements);
        }
    }

    void abort(String id, String owner, long now) {
        take(id, owner, now);
    }

    int size() {
        return open.size();
    }

    private Tx live(String id, String owner, long now) {
        sweep(now);
        Tx tx = id == null ? null : open.get(id);
        if (tx == null || !tx.owner.equals(owner)) {
            throw notFound(id);
        }
        return tx;
    }

    /** Aborts every transaction idle for longer than the timeout. */
    void sweep(long now) {
        open.values().removeIf(tx -> {
            synchronized (tx) {
                if (now - tx.touched > idleTimeoutMs) {
                    release(tx);
                    return true;
                }
                return false;
            }
        });
    }

    /** Bytes buffered by every open transaction (for limits and diagnostics). */
    long bufferedBytes() {
        return totalBytes.get();
    }

    /** What a statement holds in memory, roughly: its payload and names (a fixed overhead besides). */
    static long bytesOf(TxStatement statement) {
        if (statement instanceof TxStatement.Publish p) {
            return 64L + p.stream().length() + (p.event().key() == null ? 0 : p.event().key().length())
                    + p.event().payload().length;
        }
        io.batpak.engine.AppendRequest r = ((TxStatement.Append) statement).request();
        return 64L + r.coordinate().entity().length() + r.coordinate().scope().length() + r.payloadLength();
    }

    /** Counts {@code size} more bytes for {@code tx}, or refuses them; caller holds tx's monitor. */
    private void reserve(Tx tx, long size) {
        if (size > limits.maxStatementBytes()) {
            throw tooLarge("a statement of " + size + " bytes exceeds the limit of " + limits.maxStatementBytes());
        }
        if (tx.bytes + size > limits.maxTransactionBytes()) {
            throw tooLarge("transaction " + tx.id + " would hold " + (tx.bytes + size) + " bytes, more than the limit of "
                    + limits.maxTransactionBytes());
        }
        java.util.concurrent.atomic.AtomicLong owner = ownerBytes.computeIfAbsent(tx.owner,
                o -> new java.util.concurrent.atomic.AtomicLong());
        if (owner.addAndGet(size) > limits.maxCallerBytes()) {
            owner.addAndGet(-size);
            throw tooLarge("the open transactions of " + tx.owner + " would hold more than "
                    + limits.maxCallerBytes() + " bytes; commit or abort some first");
        }
        if (totalBytes.addAndGet(size) > limits.maxTotalBytes()) {
            totalBytes.addAndGet(-size);
            owner.addAndGet(-size);
            throw tooLarge("open transactions would hold more than " + limits.maxTotalBytes()
                    + " bytes in all; try again after others commit");
        }
    }

    /** Gives back what a closed transaction held; caller holds tx's monitor. */
    private void release(Tx tx) {
        if (tx.bytes == 0) {
            return;
        }
        totalBytes.addAndGet(-tx.bytes);
        java.util.concurrent.atomic.AtomicLong owner = ownerBytes.get(tx.owner);
        if (owner != null) {
            owner.addAndGet(-tx.bytes); // the counter stays: removing it would race with a concurrent reserve
        }
        tx.bytes = 0;
    }

    private static StoreException tooLarge(String message) {
        return new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, message);
    }

    private static StoreException notFound(String id) {
        return new StoreException(ErrorCode.NOT_FOUND, "transaction " + id
                + " is not open (unknown, committed, aborted or expired)");
    }
}
