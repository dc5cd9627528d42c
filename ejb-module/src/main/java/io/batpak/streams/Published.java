package io.batpak.streams;

import io.batpak.engine.AppendReceipt;

/**
 * Where a published event landed: its partition, its offset there (0, 1, 2, … per partition, in
 * commit order, with no gaps) and the engine's receipt. Immutable.
 */
public record Published(String stream, int partition, long offset, AppendReceipt receipt) {
}
