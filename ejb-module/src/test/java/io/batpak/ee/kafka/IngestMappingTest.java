package io.batpak.ee.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.ee.StoredCloudEvent;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import io.batpak.engine.Region;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How Kafka records become appends (ingest) and stored events become records (relay), and that the
 * ingest checkpoint survives a reopen and refuses a second writer, without a broker.
 */
class IngestMappingTest {
    private static final IngestConfig CONFIG = new IngestConfig("localhost:1", List.of("in"), "t", 61441, null, 10, Map.of());
    private final RecordAppends mapper = new RecordAppends(CONFIG, type -> Optional.empty());

    @Test
    void aPlainRecordIsAnEventOfItsKeyInTheTopicsScope() {
        AppendRequest r = mapper.toAppend(record("order-1", "{\"n\":1}".getBytes(StandardCharsets.UTF_8), new RecordHeaders()));
        assertEquals("order-1@in", r.coordinate().toString(), "entity = record key, scope = topic");
        assertEquals(61441, r.kind().value(), "kind = batpak.kafka.ingest.kind");
        assertArrayEquals("{\"n\":1}".getBytes(StandardCharsets.UTF_8), r.payload(), "payload = record value, unchanged");
    }

    @Test
    void aRecordWithoutKeyOrWithAReservedKindIsRefusedWithAReason() {
        StoreException noKey = assertThrows(StoreException.class, () -> mapper.toAppend(record(null, new byte[0], new RecordHeaders())));
        assertEquals(ErrorCode.INVALID_REQUEST, noKey.code(), noKey.getMessage());
        ProducerRecord<String, byte[]> reserved = KafkaMessageFactory.createWriter("in", "x").writeBinary(CloudEventBuilder.v1()
                .withId("1").withSource(URI.create("s")).withType("t").withSubject("x").withExtension("kind", 0xE001).build());
        StoreException e = assertThrows(StoreException.class, () -> mapper.toAppend(fromProducer(reserved)));
        assertEquals(ErrorCode.RESERVED_KIND, e.code(), "a CloudEvent of the store's bookkeeping kinds must be refused: " + e.getMessage());
    }

    @Test
    void aCloudEventRecordMapsAsOverHttpAndTheRelayWritesItBack(@TempDir Path dir) {
        ProducerRecord<String, byte[]> sent = KafkaMessageFactory.createWriter("in", "order-9").writeBinary(CloudEventBuilder.v1()
                .withId("ce-9").withSource(URI.create("shop")).withType("order.placed").withSubject("order-9")
                .withExtension("kind", 61442).withDataContentType("application/json")
                .withData("{\"n\":9}".getBytes(StandardCharsets.UTF_8)).build());
        AppendRequest r = mapper.toAppend(fromProducer(sent));
        assertEquals("order-9@shop", r.coordinate().toString(), "subject → entity, source → scope");
        assertEquals(61442, r.kind().value());
        assertEquals("order.placed", r.options().attributes().get(StoredCloudEvent.TYPE_ATTRIBUTE));
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            store.append(r);
            StoredEvent stored = store.read(Region.all()).get(0);
            RelayConfig relay = new RelayConfig("localhost:1", "out", "out-offsets", "r", java.util.Set.of(), 10, Map.of());
            ProducerRecord<String, byte[]> back = new RelayRecords(relay, k -> Optional.empty()).event(stored);
            assertEquals("order-9@shop", back.key(), "the relay keys records by coordinate");
            assertEquals("order.placed", header(back, "ce_type"), "the type an event arrived with goes back out");
            assertEquals("0", header(back, "ce_sequence"));
            assertArrayEquals("{\"n\":9}".getBytes(StandardCharsets.UTF_8), back.value());
        }
    }

    @Test
    void theCheckpointSurvivesAReopenAndRefusesASecondWriter(@TempDir Path dir) {
        TopicPartition p0 = new TopicPartition("in", 0);
        TopicPartition p1 = new TopicPartition("in", 1);
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            IngestCheckpoint a = new IngestCheckpoint("t");
            a.load(store);
            assertNull(a.next(p0), "a new ingest starts each partition at its beginning");
            store.appendBatch(List.of(a.advancedTo(Map.of(p0, 5L))));
            a.committed(Map.of(p0, 5L));
            IngestCheckpoint stale = new IngestCheckpoint("t");
            stale.load(store);
            store.appendBatch(List.of(a.advancedTo(Map.of(p1, 2L))));
            a.committed(Map.of(p1, 2L));
            StoreException e = assertThrows(StoreException.class, () -> store.appendBatch(List.of(stale.advancedTo(Map.of(p0, 9L)))));
            assertEquals(ErrorCode.SEQUENCE_MISMATCH, e.code(), "two ingests with one id must not both advance the checkpoint");
        }
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            IngestCheckpoint reopened = new IngestCheckpoint("t");
            reopened.load(store);
            assertEquals(5L, reopened.next(p0), "partition 0's next offset after a reopen");
            assertEquals(2L, reopened.next(p1), "partition 1's next offset after a reopen (earlier partitions are kept)");
        }
    }

    private static ConsumerRecord<String, byte[]> record(String key, byte[] value, RecordHeaders headers) {
        return new ConsumerRecord<>("in", 0, 0L, 0L, TimestampType.CREATE_TIME, 0, value.length, key, value, headers, Optional.empty());
    }

    private static ConsumerRecord<String, byte[]> fromProducer(ProducerRecord<String, byte[]> p) {
        return record(p.key(), p.value() == null ? new byte[0] : p.value(), new RecordHeaders(p.headers().toArray()));
    }

    private static String header(ProducerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
