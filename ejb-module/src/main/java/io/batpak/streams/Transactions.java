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
 * The open transactions: statements gathered in memory until commit. A transaction leaves this
 * registry when it commits, aborts or sits idle longer than the timeout; after that its id is
 * unknown. Open transactions do not survive a restart (nothing of them was written). Thread-safe.
 */
final class Transactions {
    private final Map<String, Tx> open = new ConcurrentHashMap<>();
    private final long idleTimeoutMs;

    static final class Tx {
        final String id;
        final List<TxStatement> statements = new ArrayList<>();
        long touched;

        Tx(String id, long now) {
            this.id = id;
            this.touched = now;
        }
    }

    Transactions(long idleTimeoutMs) {
        this.idleTimeoutMs = idleTimeoutMs;
    }

    String begin(long now) {
        sweep(now);
        String id = UUID.randomUUID().toString();
        open.put(id, new Tx(id, now));
        return id;
    }

    void add(String id, TxStatement statement, long now) {
        Tx tx = live(id, now);
        synchronized (tx) {
            if (open.get(id) != tx) {
                throw notFound(id);
            }
            if (tx.statements.size() >= EventStore.MAX_BATCH_EVENTS - 1) {
                throw new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, "a transaction holds at most "
                        + (EventStore.MAX_BATCH_EVENTS - 1) + " statements");
            }
            tx.statements.add(statement);
            tx.touched = now;
        }
    }

    /** Removes the transaction for commit and returns its statements; unknown or expired is NOT_FOUND. */
    List<TxStatement> take(String id, long now) {
        Tx tx = live(id, now);
        synchronized (tx) {
            if (!open.remove(id, tx)) {
                throw notFound(id);
            }
            return List.copyOf(tx.statements);
        }
    }

    void abort(String id, long now) {
        take(id, now);
    }

    int size() {
        return open.size();
    }

    private Tx live(String id, long now) {
        sweep(now);
        Tx tx = id == null ? null : open.get(id);
        if (tx == null) {
            throw notFound(id);
        }
        return tx;
    }

    /** Aborts every transaction idle for longer than the timeout. */
    void sweep(long now) {
        open.values().removeIf(tx -> {
            synchronized (tx) {
                return now - tx.touched > idleTimeoutMs;
            }
        });
    }

    private static StoreException notFound(String id) {
        return new StoreException(ErrorCode.NOT_FOUND, "transaction " + id
                + " is not open (unknown, committed, aborted or expired)");
    }
}
