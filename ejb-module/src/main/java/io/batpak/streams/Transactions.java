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
 * abandoned transactions cannot exhaust memory. Open transactions do not survive a restart
 * (nothing of them was written). Thread-safe.
 */
final class Transactions {
    private final Map<String, Tx> open = new ConcurrentHashMap<>();
    private final long idleTimeoutMs;
    private final int maxOpenPerOwner;

    static final class Tx {
        final String id;
        final String owner;
        final List<TxStatement> statements = new ArrayList<>();
        long touched;

        Tx(String id, String owner, long now) {
            this.id = id;
            this.owner = owner;
            this.touched = now;
        }
    }

    Transactions(long idleTimeoutMs, int maxOpenPerOwner) {
        this.idleTimeoutMs = idleTimeoutMs;
        this.maxOpenPerOwner = maxOpenPerOwner;
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
            tx.statements.add(statement);
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
                return now - tx.touched > idleTimeoutMs;
            }
        });
    }

    private static StoreException notFound(String id) {
        return new StoreException(ErrorCode.NOT_FOUND, "transaction " + id
                + " is not open (unknown, committed, aborted or expired)");
    }
}
