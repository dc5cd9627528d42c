package io.batpak.streams;

import io.batpak.engine.AppendReceipt;
import java.util.List;

/**
 * What a committed transaction wrote: the receipt of every statement in the order they were added,
 * where each stream statement landed (in the same order, stream statements only), and how many
 * deliveries its ack settled. Immutable.
 */
public record TxResult(List<AppendReceipt> receipts, List<Published> published, int acked) {
    public TxResult {
        receipts = List.copyOf(receipts);
        published = List.copyOf(published);
    }
}
