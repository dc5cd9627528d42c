package io.batpak.ee;

import io.batpak.engine.StoreException;
import io.batpak.streams.Streams;
import io.batpak.streams.flow.DerivationRunner;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one running derivation reports, read when asked: its sources and shard count, its
 * {@code checkpoint} (per source stream, per partition, the smallest next offset over its shards:
 * every shard has read past everything before it), its {@code lag} (source events not yet read by
 * every shard: the sum over source partitions of partition head minus that checkpoint; -1 if it
 * cannot be read), its commits so far, and its state:
 * <ul>
 *   <li>{@code running}: no shard's latest step failed;
 *   <li>{@code waiting}: a step failed because a source stream does not exist yet (the loops retry);
 *   <li>{@code failed}: a shard's latest step failed otherwise ({@code failure} says how);
 *   <li>{@code stopped}: its runner was closed.
 * </ul>
 * Immutable.
 */
public record DerivationStatus(String name, List<String> sources, int shards, Map<String, long[]> checkpoint,
                               long lag, long commits, String state, Optional<Throwable> failure) {
    public static final String RUNNING = "running";
    public static final String WAITING = "waiting";
    public static final String FAILED = "failed";
    public static final String STOPPED = "stopped";

    /** The status of {@code runner} now, with heads read from {@code streams}. */
    public static DerivationStatus of(DerivationRunner runner, Streams streams) {
        Throwable failure = null;
        for (int i = 0; i < runner.shards() && failure == null; i++) {
            failure = runner.failure(i).orElse(null);
        }
        Map<String, long[]> checkpoint = new LinkedHashMap<>();
        long lag = 0;
        boolean missing = false;
        try {
            List<Map<String, Map<Integer, Long>>> shards = new java.util.ArrayList<>();
            for (int i = 0; i < runner.shards(); i++) {
                shards.add(runner.checkpoint(i));
            }
            for (String source : runner.sources()) {
                if (streams.partitions(source) == 0) {
                    missing = true;
                    checkpoint.put(source, new long[0]);
                    continue;
                }
                long[] heads = streams.heads(source);
                long[] min = new long[heads.length];
                Arrays.fill(min, Long.MAX_VALUE);
                for (Map<String, Map<Integer, Long>> shard : shards) {
                    Map<Integer, Long> next = shard.getOrDefault(source, Map.of());
                    for (int p = 0; p < heads.length; p++) {
                        min[p] = Math.min(min[p], next.getOrDefault(p, 0L));
                    }
                }
                for (int p = 0; p < heads.length; p++) {
                    lag += Math.max(0, heads[p] - min[p]);
                }
                checkpoint.put(source, min);
            }
        } catch (StoreException e) {
            lag = -1; // the store is closing, or a shard cannot be loaded: its loop reports the cause
        }
        String state = runner.isClosed() ? STOPPED : failure == null ? RUNNING : missing ? WAITING : FAILED;
        return new DerivationStatus(runner.name(), runner.sources(), runner.shards(), checkpoint, lag,
                runner.commits(), state, Optional.ofNullable(failure));
    }

    /**
     * The failure as an authenticated caller may read it: the code and message of a store error of
     * the caller's making (a missing stream, a budget, a bad request), else only its type and code,
     * as the HTTP errors do: the messages of data and I/O failures name files.
     */
    public Optional<String> failureText() {
        return failure.map(f -> {
            if (f instanceof StoreException e) {
                boolean told = switch (e.code()) {
                    case INVALID_REQUEST, NOT_FOUND, PAYLOAD_TOO_LARGE, SEQUENCE_MISMATCH, RESERVED_KIND, FORBIDDEN,
                         INVALID_COORDINATE -> true;
                    default -> false;
                };
                return e.code().code() + ": " + (told ? e.getMessage() : StoreHealth.describe(f));
            }
            if (f instanceof DeniedException) {
                return "denied: " + f.getMessage();
            }
            return StoreHealth.describe(f);
        });
    }
}
