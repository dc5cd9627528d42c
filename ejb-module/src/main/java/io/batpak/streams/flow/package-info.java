/**
 * Flow: transactional derivations on the streams layer ({@link io.batpak.streams.flow.DerivationRunner}).
 * A {@link io.batpak.streams.flow.Derivation} reads source streams and engine regions, keeps keyed
 * state and emits derived stream events; its work is split into N shards by a hash of the shuffle
 * key. A shard's state is in memory, bounded by {@code maxKeysPerShard}, and rebuilt from a snapshot
 * file (docs/FORMAT.md, "Derivation snapshots") plus the shard records after it; a snapshot that
 * fails any check, or whose covered record the log does not hold, is ignored.
 *
 * <p>Guarantees (exactly once): one step of a shard reads a bounded batch of source events, applies
 * them, and commits the derived events, the state changes and the shard's checkpoint (next offset
 * per source partition, next global sequence per source region) as ONE atomic engine batch,
 * guarded by the expected sequence of the shard's entity. So after a crash, a restart or a step that failed before its commit, the shard rebuilds
 * its state from its own records and resumes from its checkpoint: no source event is applied twice
 * or skipped, no derived event is duplicated or lost, and two runners of one shard cannot both
 * commit a step. Events of one source partition are applied in offset order, so a key's events of
 * one source are applied in order. The shard count is fixed when a derivation first runs: a runner
 * with another count is refused (re-sharding: stop it, start under a new name, which recomputes
 * from the sources' start, then drop the old one).
 *
 * <p>Plain Java 17, no {@code jakarta.*}. May use: {@code io.batpak.streams} and the engine's API
 * packages ({@code io.batpak.engine}, {@code .gate}, {@code .util}). Not the engine's internals,
 * and not {@code io.batpak.ee} or {@code io.batpak.web}.
 */
package io.batpak.streams.flow;
