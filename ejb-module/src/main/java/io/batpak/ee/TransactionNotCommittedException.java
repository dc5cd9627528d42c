package io.batpak.ee;

/**
 * The JTA transaction that an {@link BatpakEvents#appendAfterCommit} was bound to rolled back (or
 * ended in an unknown state): its events were discarded and nothing was stored.
 */
public final class TransactionNotCommittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public TransactionNotCommittedException(int status) {
        super("the transaction did not commit (jakarta.transaction.Status " + status + "); nothing was appended");
        this.status = status;
    }

    /** The transaction's final {@code jakarta.transaction.Status} code. */
    public int status() {
        return status;
    }
}
