/**
 * Partitioned streams, consumer groups and transactions built on the engine
 * ({@link io.batpak.streams.Streams}): partitions are engine entities, acks and group
 * configurations are events, a transaction commits as one atomic engine batch.
 *
 * <p>Guarantees: plain Java 17, no {@code jakarta.*}; everything durable is in the engine log, so
 * a restart resumes from what was durably acked; see {@code Streams} for ordering and delivery.
 *
 * <p>May use: the engine's API packages ({@code io.batpak.engine}, {@code .projection},
 * {@code .gate}, {@code .util}). Not the engine's internals, and not {@code io.batpak.ee} or
 * {@code io.batpak.web}.
 */
package io.batpak.streams;
