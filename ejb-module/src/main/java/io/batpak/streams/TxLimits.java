package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

/**
 * How much open transactions may buffer in memory before commit, checked when a statement is
 * added (a statement past a limit is refused with {@code PAYLOAD_TOO_LARGE} and the transaction
 * stays open without it): the bytes of one statement, of one transaction, of all the transactions
 * one caller holds open, and of every open transaction together. Immutable.
 */
public record TxLimits(long maxStatementBytes, long maxTransactionBytes, long maxCallerBytes, long maxTotalBytes) {
    /** 1 MiB a statement, 16 MiB a transaction, 64 MiB a caller, 256 MiB in all. */
    public static final TxLimits DEFAULTS = new TxLimits(1L << 20, 16L << 20, 64L << 20, 256L << 20);

    public TxLimits {
        if (maxStatementBytes < 1 || maxTransactionBytes < maxStatementBytes || maxCallerBytes < maxTransactionBytes
                || maxTotalBytes < maxCallerBytes) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "transaction byte limits must grow from statement"
                    + " to transaction to caller to total: " + maxStatementBytes + ", " + maxTransactionBytes + ", "
                    + maxCallerBytes + ", " + maxTotalBytes);
        }
    }
}
