package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The Kafka relay, exactly once across a SIGKILL, against a real broker: Payara Micro relays the
 * scope {@code orders} to a single-node KRaft Kafka while four HTTP clients append to {@code orders}
 * and to {@code audit} (not relayed); the server is killed mid-stream and started again on the same
 * data. Afterwards a {@code read_committed} consumer must find in the topic exactly the log's
 * {@code orders} events: each once, none of {@code audit}, per entity in one partition in sequence
 * order, payloads unchanged, records in the CloudEvents binary binding.
 */
class KafkaRelayIT {
    private static final String TOPIC = "batpak-events";
    private static final String CHANNEL_TOPIC = "batpak-channel";
    private static final int WRITERS = 4;

    @Test
    void theTopicHoldsExactlyTheLogsEventsAfterASigkill() throws Exception {
        Path root = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "kafka-" + UUID.randomUUID());
        try (KafkaBroker kafka = new KafkaBroker(root.resolve("kafka"))) {
            kafka.start();
            List<String> options = List.of("-Dbatpak.kafka.relay.enabled=true",
                    "-Dbatpak.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "-Dbatpak.kafka.relay.scopes=orders", "-Dbatpak.kafka.relay.batch-max=20",
                    // The Reactive Messaging channel on the bundled SmallRye Kafka connector, by configuration only.
                    "-Dmp.messaging.outgoing.batpak-events.connector=smallrye-kafka",
                    "-Dmp.messaging.outgoing.batpak-events.topic=" + CHANNEL_TOPIC,
                    "-Dmp.messaging.outgoing.batpak-events.value.serializer=org.apache.kafka.common.serialization.StringSerializer",
                    "-Dmp.messaging.connector.smallrye-kafka.bootstrap.servers=" + kafka.bootstrapServers());
            Path data = root.resolve("data");
            try (PayaraProcess server = new PayaraProcess(data, root.resolve("payara.log"), options)) {
                server.start();
                AtomicLong acked = new AtomicLong();
                runLoad(server, acked, () -> relayPosition(server) > 0, Duration.ofSeconds(3));
                long before = acked.get();
                long relayedBeforeKill = relayPosition(server);
                server.kill();
                server.start();
                long headAtRestart = globalSequence(server);
                runLoad(server, acked, () -> true, Duration.ofSeconds(2));
                assertTrue(acked.get() > before && before > 0, "the load appended nothing on one side of the kill ("
                        + before + " before, " + acked.get() + " in all); see " + server.log());
                long head = globalSequence(server);
                awaitRelayed(server, head);
                Map<String, List<JsonObject>> logByEntity = ordersInTheLog(server.http());
                Map<String, List<ConsumerRecord<String, byte[]>>> topicByEntity = topic(kafka);
                compare(logByEntity, topicByEntity, server.log());
                channelHoldsEveryEventAfter(kafka, headAtRestart, head, server.log());
                System.out.println("KafkaRelayIT: " + acked.get() + " appends acked (" + before + " before the kill, when the relay"
                        + " had reached global sequence " + relayedBeforeKill + "), "
                        + logByEntity.values().stream().mapToInt(List::size).sum() + " orders events in the log and the topic");
            }
        }
    }

    /** Four clients append alternately to orders and audit until {@code until} holds and {@code atLeast} passed. */
    private static void runLoad(PayaraProcess server, AtomicLong acked, java.util.function.BooleanSupplier until,
            Duration atLeast) throws Exception {
        Http http = server.http();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                int i = 0;
                while (!stop.get()) {
                    String scope = i % 2 == 0 ? "orders" : "audit";
                    String body = "{\"entity\":\"order-" + writer + "-" + (i % 5) + "\",\"scope\":\"" + scope
                            + "\",\"kind\":61441,\"payload\":{\"writer\":" + writer + ",\"i\":" + i + "}}";
                    try {
                        if (http.post("events", body).status() == 201) {
                            acked.incrementAndGet();
                        }
                    } catch (AssertionError | RuntimeException connectionLost) {
                        return;
                    }
                    i++;
                }
            });
            t.start();
            writers.add(t);
        }
        long end = System.nanoTime() + atLeast.toNanos();
        long giveUp = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while ((System.nanoTime() < end || !until.getAsBoolean()) && System.nanoTime() < giveUp) {
            Thread.sleep(100);
        }
        stop.set(true);
        for (Thread t : writers) {
            t.join(30_000);
        }
    }

    private static long globalSequence(PayaraProcess server) {
        return server.http().get("stats").json().getJsonNumber("globalSequence").longValue();
    }

    /**
     * The batpak-events channel (at least once, live from the server's start) delivered every event
     * appended after the restart, as the contract's JSON, to its Kafka topic.
     */
    private static void channelHoldsEveryEventAfter(KafkaBroker kafka, long from, long to, Path serverLog)
            throws InterruptedException {
        Set<Long> missing = new HashSet<>();
        for (long g = from + 1; g <= to; g++) {
            missing.add(g);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            for (List<ConsumerRecord<String, byte[]>> records : records(kafka, CHANNEL_TOPIC, r -> "all").values()) {
                for (ConsumerRecord<String, byte[]> r : records) {
                    try (jakarta.json.JsonReader reader = jakarta.json.Json.createReader(
                            new java.io.StringReader(new String(r.value(), StandardCharsets.UTF_8)))) {
                        missing.remove(reader.readObject().getJsonNumber("globalSequence").longValue());
                    }
                }
            }
            if (!missing.isEmpty()) {
                Thread.sleep(500);
            }
        }
        assertTrue(missing.isEmpty(), missing.size() + " events appended after the restart (global sequences " + from
                + ".." + to + ") never reached " + CHANNEL_TOPIC + " through the smallrye-kafka channel; see " + serverLog);
    }

    private static JsonObject relayHealth(PayaraProcess server) {
        JsonObject health = new Http(server.base().resolve("/")).get("health/ready").json();
        return health.getJsonArray("checks").stream().map(JsonValue::asJsonObject)
                .filter(c -> c.getString("name").equals("batpak-kafka")).findFirst()
                .orElseThrow(() -> new AssertionError("no batpak-kafka check in " + health)).getJsonObject("data");
    }

    private static long relayPosition(PayaraProcess server) {
        JsonObject data = relayHealth(server);
        if (!data.containsKey("relayPosition")) {
            return -1;
        }
        // Payara's health answer writes numeric data as JSON strings, others as numbers.
        JsonValue v = data.get("relayPosition");
        return v instanceof jakarta.json.JsonNumber n ? n.longValue() : Long.parseLong(((jakarta.json.JsonString) v).getString());
    }

    private static void awaitRelayed(PayaraProcess server, long head) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (relayPosition(server) < head) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the relay did not reach global sequence " + head + " in 120 s: "
                        + relayHealth(server) + "; see " + server.log());
            }
            Thread.sleep(200);
        }
    }

    /** The log's orders events per entity, in sequence order. */
    private static Map<String, List<JsonObject>> ordersInTheLog(Http http) {
        Map<String, List<JsonObject>> byEntity = new LinkedHashMap<>();
        long after = 0;
        while (true) {
            JsonObject page = http.get("events?scope=orders&limit=1000&after=" + after).json();
            for (JsonValue v : page.getJsonArray("events")) {
                JsonObject e = v.asJsonObject();
                byEntity.computeIfAbsent(e.getString("entity"), k -> new ArrayList<>()).add(e);
            }
            if (page.isNull("next")) {
                return byEntity;
            }
            after = page.getJsonNumber("next").longValue();
        }
    }

    /** Every committed record of the relay's topic, per entity (ce_subject) in offset order. */
    private static Map<String, List<ConsumerRecord<String, byte[]>>> topic(KafkaBroker kafka) {
        return records(kafka, TOPIC, r -> header(r, "ce_subject"));
    }

    /** Every committed record of {@code topic}, grouped by {@code groupBy}, in offset order per partition. */
    private static Map<String, List<ConsumerRecord<String, byte[]>>> records(KafkaBroker kafka, String topic,
            java.util.function.Function<ConsumerRecord<String, byte[]>, String> groupBy) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, List<ConsumerRecord<String, byte[]>>> byEntity = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "reading " + topic + " to its end took over 60 s");
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    byEntity.computeIfAbsent(groupBy.apply(r), k -> new ArrayList<>()).add(r);
                }
            }
        }
        return byEntity;
    }

    private static void compare(Map<String, List<JsonObject>> log, Map<String, List<ConsumerRecord<String, byte[]>>> topic,
            Path serverLog) {
        assertEquals(log.keySet(), topic.keySet(), "entities in the log's orders scope vs. in the topic (audit must be absent)");
        Set<String> seen = new HashSet<>();
        for (var entry : log.entrySet()) {
            String entity = entry.getKey();
            List<JsonObject> events = entry.getValue();
            List<ConsumerRecord<String, byte[]>> records = topic.get(entity);
            List<String> logIds = events.stream().map(e -> e.getString("eventId")).collect(Collectors.toList());
            List<String> topicIds = records.stream().map(r -> header(r, "ce_id")).collect(Collectors.toList());
            assertEquals(logIds, topicIds, "events of " + entity + ": log order vs. topic order (a duplicate, gap or "
                    + "reordering after the kill; relay log in " + serverLog + ")");
            assertEquals(1, records.stream().map(ConsumerRecord::partition).distinct().count(),
                    entity + " spread over several partitions: the record key must be the coordinate");
            for (int i = 0; i < events.size(); i++) {
                JsonObject e = events.get(i);
                ConsumerRecord<String, byte[]> r = records.get(i);
                assertEquals(entity + "@orders", r.key(), "record key of " + topicIds.get(i));
                assertEquals("1.0", header(r, "ce_specversion"), "CloudEvents binary binding header of " + topicIds.get(i));
                assertEquals(Long.toString(e.getJsonNumber("sequence").longValue()), header(r, "ce_sequence"),
                        "sequence of " + topicIds.get(i));
                assertEquals(e.get("payload").toString(), new String(r.value(), StandardCharsets.UTF_8),
                        "payload of " + topicIds.get(i));
                assertTrue(seen.add(topicIds.get(i)), "event " + topicIds.get(i) + " twice in the topic");
            }
        }
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
