package io.batpak.streams.exchange;

/**
 * One message published to an exchange: its topic, its payload (opaque text; over HTTP a JSON
 * value), and {@code publishedNanos}, the publisher's {@link System#nanoTime()} when it published
 * (for latency measurements within one JVM; meaningless across JVMs). Immutable; one instance is
 * shared by every subscriber it reaches.
 */
public record ExchangeMessage(String topic, String payload, long publishedNanos) {
}
