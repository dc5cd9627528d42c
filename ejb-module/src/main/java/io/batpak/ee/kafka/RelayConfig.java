package io.batpak.ee.kafka;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a relay sends where: committed events (all, or those whose scope is in {@code scopes}) to
 * {@code topic}, its position under the key {@code relayId} in the compacted {@code offsetsTopic}.
 * {@code relayId} is also the producer's {@code transactional.id}: two relays with the same id fence
 * each other, so at most one writes. {@code producerProperties} pass through to kafka-clients (e.g.
 * security settings); the relay's own settings win over them. Immutable.
 */
public record RelayConfig(String bootstrapServers, String topic, String offsetsTopic, String relayId,
        Set<String> scopes, int batchMax, Map<String, String> producerProperties) {
    public RelayConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        requireName(topic, "topic");
        requireName(offsetsTopic, "offsetsTopic");
        requireName(relayId, "relayId");
        if (topic.equals(offsetsTopic)) {
            throw new IllegalArgumentException("the relay's offsets topic must differ from its event topic: " + topic);
        }
        if (batchMax < 1 || batchMax > 100_000) {
            throw new IllegalArgumentException("batchMax must be 1..100000, was " + batchMax);
        }
        scopes = Set.copyOf(scopes);
        producerProperties = Map.copyOf(producerProperties);
    }

    /** Whether events of {@code scope} are relayed. */
    public boolean relays(String scope) {
        return scopes.isEmpty() || scopes.contains(scope);
    }

    private static void requireName(String v, String what) {
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("the relay's " + what + " must not be blank");
        }
    }
}
