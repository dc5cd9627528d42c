package io.batpak.ee.kafka;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an ingest reads and how it maps records: every partition of {@code topics}, checkpointed
 * under {@code ingestId}. CloudEvents records (binary or structured) map as over HTTP; any other
 * record becomes an event of entity = its key, scope = {@code scope} (null: the topic's name) and
 * kind = {@code kind} (null: such records are rejected). {@code consumerProperties} pass through to
 * kafka-clients; the ingest's own settings win. Immutable.
 */
public record IngestConfig(String bootstrapServers, List<String> topics, String ingestId, Integer kind, String scope,
        int pollMax, Map<String, String> consumerProperties) {
    public IngestConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        topics = List.copyOf(topics);
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("an ingest needs at least one topic");
        }
        if (ingestId == null || ingestId.isBlank()) {
            throw new IllegalArgumentException("an ingest needs an id");
        }
        if (kind != null && (kind < 0 || kind > 0xFFFF)) {
            throw new IllegalArgumentException("the ingest's kind must be 0..65535, was " + kind);
        }
        if (pollMax < 1 || pollMax > 10_000) {
            throw new IllegalArgumentException("pollMax must be 1..10000, was " + pollMax);
        }
        consumerProperties = Map.copyOf(consumerProperties);
    }
}
