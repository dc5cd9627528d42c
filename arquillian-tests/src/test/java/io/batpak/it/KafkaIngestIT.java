package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.kafka.KafkaMessageFactory;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The Kafka ingest, exactly once across a SIGKILL, against a real broker: a producer writes to a
 * 3-partition topic plain records (key = entity), CloudEvents in the binary binding, and records
 * the ingest must skip (no key); Payara Micro ingests the topic and is killed mid-stream and
 * started again on the same data. Afterwards the store must hold each good record exactly once,
 * none of the bad ones, each entity's events in the record order of its partition.
 */
class KafkaIngestIT {
    private static final String TOPIC = "orders-in";
    private static final int KIND = 61441;

    @Test
    void theStoreHoldsExactlyTheTopicsRecordsAfterASigkill() throws Exception {
        Path root = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "ingest-" + UUID.randomUUID());
        try (KafkaBroker kafka = new KafkaBroker(root.resolve("kafka"))) {
            kafka.start();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get();
            }
            List<String> options = List.of("-Dbatpak.kafka.ingest.enabled=true",
                    "-Dbatpak.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "-Dbatpak.kafka.ingest.topics=" + TOPIC, "-Dbatpak.kafka.ingest.kind=" + KIND,
                    "-Dbatpak.kafka.ingest.poll-max=25");
            Map<String, List<Integer>> sentByEntity = new HashMap<>();
            AtomicInteger bad = new AtomicInteger();
            try (PayaraProcess server = new PayaraProcess(root.resolve("data"), root.resolve("payara.log"), options);
                    KafkaProducer<String, byte[]> producer = producer(kafka)) {
                AtomicInteger n = new AtomicInteger();
                produce(producer, 400, n, sentByEntity, bad);
                server.start();
                AtomicBoolean stop = new AtomicBoolean();
                Thread more = new Thread(() -> {
                    while (!stop.get()) {
                        produce(producer, 20, n, sentByEntity, bad);
                        sleep(20);
                    }
                });
                more.start();
                awaitStored(server, 200);
                server.kill();
                stop.set(true);
                more.join();
                produce(producer, 200, n, sentByEntity, bad);
                producer.flush();
                server.start();
                int good = sentByEntity.values().stream().mapToInt(List::size).sum();
                awaitStored(server, good);
                Thread.sleep(2000); // anything more would be a duplicate: give it time to show up
                Map<String, List<Integer>> stored = storedByEntity(server.http());
                assertEquals(sentByEntity, stored, "records per entity in partition order (sent) vs. events per entity in"
                        + " sequence order (stored): a duplicate, loss or reordering across the kill; see " + server.log());
                assertTrue(bad.get() > 0, "the test sent no record the ingest must skip");
                System.out.println("KafkaIngestIT: " + good + " records stored once each, " + bad.get() + " skipped");
            }
        }
    }

    private static KafkaProducer<String, byte[]> producer(KafkaBroker kafka) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Sends {@code count} records numbered from {@code n}: every 10th a CloudEvent, every 37th one
     * without a key (to be skipped), the rest plain; entity of record i is {@code e-(i % 13)}.
     */
    private static void produce(KafkaProducer<String, byte[]> producer, int count, AtomicInteger n,
            Map<String, List<Integer>> sentByEntity, AtomicInteger bad) {
        for (int k = 0; k < count; k++) {
            int i = n.getAndIncrement();
            String entity = "e-" + (i % 13);
            byte[] payload = ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8);
            ProducerRecord<String, byte[]> record;
            if (i % 37 == 0) {
                record = new ProducerRecord<>(TOPIC, null, payload);
                bad.incrementAndGet();
            } else if (i % 10 == 0) {
                record = KafkaMessageFactory.<String>createWriter(TOPIC, entity).writeBinary(CloudEventBuilder.v1()
                        .withId("ce-" + i).withSource(URI.create(TOPIC)).withType("order.placed").withSubject(entity)
                        .withExtension("kind", KIND).withDataContentType("application/json").withData(payload).build());
            } else {
                record = new ProducerRecord<>(TOPIC, entity, payload);
            }
            // Same key, same partition: each entity's records keep their send order in Kafka.
            synchronized (sentByEntity) {
                if (i % 37 != 0) {
                    sentByEntity.computeIfAbsent(entity, e -> new ArrayList<>()).add(i);
                }
            }
            producer.send(record);
        }
        producer.flush();
    }

    private static void awaitStored(PayaraProcess server, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            int stored = storedByEntity(server.http()).values().stream().mapToInt(List::size).sum();
            if (stored >= atLeast) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + stored + " of " + atLeast + " records ingested in 120 s; see " + server.log());
            }
            Thread.sleep(200);
        }
    }

    /** The numbers {@code n} of the stored events per entity, in sequence order. */
    private static Map<String, List<Integer>> storedByEntity(Http http) {
        Map<String, List<Integer>> byEntity = new HashMap<>();
        long after = 0;
        while (true) {
            JsonObject page = http.get("events?scope=" + TOPIC + "&limit=1000&after=" + after).json();
            for (JsonValue v : page.getJsonArray("events")) {
                JsonObject e = v.asJsonObject();
                byEntity.computeIfAbsent(e.getString("entity"), k -> new ArrayList<>())
                        .add(e.getJsonObject("payload").getInt("n"));
            }
            if (page.isNull("next")) {
                break;
            }
            after = page.getJsonNumber("next").longValue();
        }
        // Global order interleaves entities; within an entity the global order is its sequence order.
        return byEntity;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
