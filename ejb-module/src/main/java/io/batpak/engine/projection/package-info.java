/**
 * Projections: folding an entity's events into state ({@code Projection}, {@code Projector}),
 * declarative state machines ({@code StateMachineProjection}, {@code Transition}, {@code Edge}),
 * caches of projected state (none, LRU, snapshots on disk via {@code StateCodec} and
 * {@code SnapshotFile}) and watches that re-project when the entity changes
 * ({@code ProjectionWatch}, {@code PollingWatch}).
 *
 * <p>Guarantees: a projection result carries the watermark (the last sequence looked at) it
 * reflects; with {@link io.batpak.engine.Freshness#CONSISTENT} it covers every event published
 * before the call; a persistent snapshot is used only if the log still holds the event whose hash
 * it recorded. Public API, used by streams, ee and web.
 *
 * <p>May use: {@code io.batpak.engine} (the facade and value types), {@code io.batpak.engine.log}
 * (segment file helpers for the snapshot directory) and {@code io.batpak.engine.util}. Not
 * {@code index}, {@code subscription} or {@code gate}, and nothing outside the engine.
 */
package io.batpak.engine.projection;
