/**
 * Ephemeral messaging after Hadron's "Exchanges &amp; Endpoints": topic fan-out
 * ({@link io.batpak.streams.exchange.Exchanges}) and request/reply RPC endpoints
 * ({@link io.batpak.streams.exchange.Endpoints}). Nothing here is stored: a message published to
 * an exchange reaches the subscribers open at that moment, a call reaches a handler present at
 * that moment, and a restart forgets both.
 *
 * <p>Guarantees: plain Java 17, no {@code jakarta.*}. Every queue is bounded: a subscriber whose
 * queue is full is dropped (it learns why), never waited for, so a publisher never blocks on a
 * slow reader; an endpoint refuses a call past its pending bound ({@code endpoint-busy}) instead of
 * buffering without end. Every blocking wait is bounded and {@code close()} wakes it.
 *
 * <p>May use: the engine's API package ({@code io.batpak.engine}: error codes) and the JDK. Not the
 * rest of {@code io.batpak.streams} (exchanges share no state with streams), not the engine's
 * internals, {@code io.batpak.ee} or {@code io.batpak.web}.
 */
package io.batpak.streams.exchange;
