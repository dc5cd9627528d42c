/**
 * The engine's public API: the store facade {@link io.batpak.engine.EventStore}, its configuration
 * ({@link io.batpak.engine.StoreConfig}, {@link io.batpak.engine.SyncMode}), the immutable value
 * types it takes and returns (coordinates, kinds, requests, receipts, stored events, regions,
 * cursors, subscriptions, grants, statistics) and the exception root
 * {@link io.batpak.engine.StoreException} with its stable {@link io.batpak.engine.ErrorCode}s.
 *
 * <p>Guarantees: plain Java 17, no {@code jakarta.*}; every failure a caller can cause is a
 * {@code StoreException} carrying an {@code ErrorCode}; value types are immutable and validate
 * their input on construction. Code outside the engine (streams, ee, web) reads and writes events
 * through this package and the other API packages ({@code projection}, {@code gate},
 * {@code upcast}, {@code util}) only, never through {@code log}, {@code index}, {@code retention} or
 * {@code subscription} — the
 * ArchUnit test {@code io.batpak.web.ArchitectureTest} enforces it.
 *
 * <p>May use: the JDK, its own sub-packages (the facade wires {@code log}, {@code index},
 * {@code subscription}, {@code retention}, {@code gate}, {@code projection}, {@code upcast} and
 * {@code util} together) and the
 * libraries the engine is built on (msgpack, commons-codec). Not {@code io.batpak.streams},
 * {@code io.batpak.ee} or {@code io.batpak.web}.
 */
package io.batpak.engine;
