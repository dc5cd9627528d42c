package io.batpak.engine.log;

import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.index.StoreIndex;
import io.batpak.engine.util.UuidV7;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The caller's side of an append: checks what can be checked without the index (reserved kinds,
 * payload size, a key repeated inside one batch), assigns event ids and timestamps, hashes the
 * payloads and fingerprints keyed requests on the calling thread (so the writer thread does not),
 * then queues one {@link WriterCommand.Append}. Thread-safe: it keeps no state of its own.
 */
public final class AppendSubmitter {
    private final StoreConfig config;
    private final LogWriter writer;

    public AppendSubmitter(StoreConfig config, LogWriter writer) {
        this.config = config;
        this.writer = writer;
    }

    /**
     * Validates the items, gives each an id and timestamp, and queues them for the writer as one
     * group, stored only if {@code condition} (null: none) holds when the writer reaches it.
     */
    public CompletableFuture<List<AppendReceipt>> submit(List<AppendRequest> items, boolean atomic, String bypassReason,
                                                         AppendCondition condition) {
        int n = items.size();
        long[] hi = new long[n];
        long[] lo = new long[n];
        long[] ts = new long[n];
        byte[][] digests = new byte[n][];
        long nowMs = config.wallClockMs().getAsLong();
        for (int i = 0; i < n; i++) {
            AppendRequest r = items.get(i);
            if (r.kind().isReserved()) {
                throw new StoreException(ErrorCode.RESERVED_KIND, "kind " + r.kind() + " is in category 0x"
                        + Integer.toHexString(r.kind().category()).toUpperCase() + ", which is reserved to the store");
            }
            if (r.payloadUnsafe().length > config.maxPayloadBytes()) {
                throw new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, "payload of " + r.payloadUnsafe().length
                        + " bytes exceeds the limit of " + config.maxPayloadBytes());
            }
            UUID id = UuidV7.at(nowMs);
            hi[i] = id.getMostSignificantBits();
            lo[i] = id.getLeastSignificantBits();
            ts[i] = nowMs * 1000;
            digests[i] = EventHasher.payloadDigest(r.payloadUnsafe());
        }
        long[] fingerprint = fingerprints(items);
        WriterCommand.Append cmd = new WriterCommand.Append(items, atomic, hi, lo, ts, fingerprint, digests,
                bypassReason, condition);
        writer.submit(cmd);
        return cmd.future;
    }

    /**
     * Two longs per item: the fingerprint of each keyed item (zeros for the others). Two items with
     * the same key in one scope are refused: one batch cannot repeat itself.
     */
    private static long[] fingerprints(List<AppendRequest> items) {
        long[] out = new long[2 * items.size()];
        java.util.Set<String> keys = null;
        for (int i = 0; i < items.size(); i++) {
            AppendRequest r = items.get(i);
            String key = r.options().idempotencyKey();
            if (key == null) {
                continue;
            }
            if (items.size() > 1) {
                keys = keys == null ? new java.util.HashSet<>() : keys;
                if (!keys.add(StoreIndex.scopedKey(r.coordinate().scope(), key))) {
                    throw new StoreException(ErrorCode.INVALID_REQUEST, "idempotency key '" + key
                            + "' is used twice in one batch");
                }
            }
            long[] f = RequestFingerprint.of(r);
            out[2 * i] = f[0];
            out[2 * i + 1] = f[1];
        }
        return out;
    }
}
