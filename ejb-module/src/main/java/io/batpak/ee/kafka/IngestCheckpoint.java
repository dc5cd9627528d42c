package io.batpak.ee.kafka;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoredEvent;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * An ingest's position in Kafka, kept in the store: events of the bookkeeping entity
 * {@code ingest:<id>} (scope the same, kind {@link #KIND}, reserved to the store), each holding the
 * next offset to read of every partition read so far, as JSON {@code {"<topic>":{"<partition>":offset}}}.
 * A checkpoint is appended in the same atomic batch as the events it covers, with
 * {@code expectedSequence} on its entity, so events and position commit together or not at all, and
 * two ingests with one id cannot both advance it. Not thread-safe: owned by the ingest task.
 */
final class IngestCheckpoint {
    /** Kind of an ingest checkpoint (category 0xE, the store's bookkeeping). */
    static final EventKind KIND = EventKind.of(0xE, 0x040);

    private final Coordinate coordinate;
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private long sequence = AppendOptions.NO_EVENTS;

    IngestCheckpoint(String ingestId) {
        String name = "ingest:" + ingestId;
        this.coordinate = new Coordinate(name, name);
    }

    /** Loads the last checkpoint from the store (none: every partition from its beginning). */
    void load(EventStore store) {
        next.clear();
        sequence = store.lastSequence(EntityQuery.of(coordinate));
        if (sequence == AppendOptions.NO_EVENTS) {
            return;
        }
        List<StoredEvent> last = store.readEntity(EntityQuery.of(coordinate).withFrom(sequence).withLimit(1));
        try (JsonReader r = JSON.createReader(new ByteArrayInputStream(last.get(0).payload()))) {
            JsonObject topics = r.readObject();
            for (String topic : topics.keySet()) {
                JsonObject partitions = topics.getJsonObject(topic);
                for (String p : partitions.keySet()) {
                    next.put(new TopicPartition(topic, Integer.parseInt(p)), ((JsonNumber) partitions.get(p)).longValue());
                }
            }
        }
    }

    /** The next offset to read of {@code tp}, or null if nothing of it was ingested. */
    Long next(TopicPartition tp) {
        return next.get(tp);
    }

    /** The checkpoint that records {@code advanced} on top of this one, as the batch's last append. */
    AppendRequest advancedTo(Map<TopicPartition, Long> advanced) {
        Map<TopicPartition, Long> all = new HashMap<>(next);
        all.putAll(advanced);
        Map<String, JsonObjectBuilder> byTopic = new HashMap<>();
        all.forEach((tp, offset) -> byTopic.computeIfAbsent(tp.topic(), t -> JSON.createObjectBuilder())
                .add(Integer.toString(tp.partition()), offset));
        JsonObjectBuilder json = JSON.createObjectBuilder();
        byTopic.forEach(json::add);
        byte[] payload = json.build().toString().getBytes(StandardCharsets.UTF_8);
        return new AppendRequest(coordinate, KIND, payload, AppendOptions.NONE.withExpectedSequence(sequence));
    }

    /** Records that a batch holding {@link #advancedTo}{@code (advanced)} committed. */
    void committed(Map<TopicPartition, Long> advanced) {
        next.putAll(advanced);
        sequence++;
    }
}
