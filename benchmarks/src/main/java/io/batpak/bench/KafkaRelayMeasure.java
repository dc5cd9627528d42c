package io.batpak.bench;

import io.batpak.ee.StoredCloudEvent;
import io.batpak.ee.kafka.KafkaRelay;
import io.batpak.ee.kafka.RelayConfig;
import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.SyncMode;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka relay's throughput and lag against a real broker (issue 18), each against a baseline in
 * the same run: not JMH, because the relay is a long-running task measured end to end.
 *
 * <ol>
 *   <li>Throughput: {@code EVENTS} stored events relayed to a fresh topic (time until the relay's
 *   committed position reaches the head) vs. a plain idempotent producer ({@code acks=all}, no
 *   transactions) sending the same records to another topic (time until {@code flush} returns).
 *   Both run {@code ROUNDS} times after a warm-up round; the best round of each is reported.</li>
 *   <li>Lag: one writer appends at {@code RATE} events/s for {@code LAG_SECONDS} (EVERY_COMMIT) while
 *   the relay runs; for each event, the time from its append's return to the relay's position
 *   passing it (sampled every 0.2 ms); p50/p99/max.</li>
 * </ol>
 * Run by {@code benchmarks/load/kafka.sh}, which starts the broker: {@code java -cp benchmarks.jar
 * io.batpak.bench.KafkaRelayMeasure <bootstrap-servers>}.
 */
public final class KafkaRelayMeasure {
    private static final int EVENTS = Integer.getInteger("events", 100_000);
    private static final int ROUNDS = Integer.getInteger("rounds", 3);
    private static final int RATE = Integer.getInteger("rate", 1_000);
    private static final int LAG_SECONDS = Integer.getInteger("lagSeconds", 30);
    private static final EventKind KIND = new EventKind(0xF001);

    private KafkaRelayMeasure() {
    }

    public static void main(String[] args) throws Exception {
        String servers = args[0];
        Path dir = BenchFiles.tempDir("relay");
        try (EventStore store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT))) {
            fill(store, EVENTS);
            List<StoredEvent> events = store.read(Region.all().withLimit(EVENTS));
            long[] producer = new long[ROUNDS + 1];
            long[] relay = new long[ROUNDS + 1];
            for (int round = 0; round <= ROUNDS; round++) { // round 0 warms up
                producer[round] = plainProducer(servers, "bench-plain-" + round, events);
                relay[round] = relayAll(servers, store, "bench-relay-" + round);
                System.out.printf("round %d%s: plain producer %,.0f records/s, relay %,.0f events/s%n", round,
                        round == 0 ? " (warm-up)" : "", rate(EVENTS, producer[round]), rate(EVENTS, relay[round]));
            }
            double bestProducer = rate(EVENTS, Arrays.stream(producer, 1, ROUNDS + 1).min().getAsLong());
            double bestRelay = rate(EVENTS, Arrays.stream(relay, 1, ROUNDS + 1).min().getAsLong());
            System.out.printf("THROUGHPUT relay %,.0f events/s vs plain idempotent producer %,.0f records/s: %.2fx%n",
                    bestRelay, bestProducer, bestRelay / bestProducer);
            lag(servers, store);
        } finally {
            BenchFiles.delete(dir);
        }
    }

    private static void fill(EventStore store, int n) {
        List<AppendRequest> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(request(i));
            if (batch.size() == 1000) {
                store.appendBatch(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            store.appendBatch(batch);
        }
    }

    private static AppendRequest request(int i) {
        byte[] payload = ("{\"order\":" + i + ",\"amount\":" + (i % 997) + ",\"currency\":\"EUR\"}").getBytes(StandardCharsets.UTF_8);
        return new AppendRequest(new Coordinate("order-" + (i % 1000), "shop"), KIND, payload, AppendOptions.NONE);
    }

    /** Nanoseconds for a plain idempotent producer to send and flush the relay's records of {@code events}. */
    private static long plainProducer(String servers, String topic, List<StoredEvent> events) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(topic); // topic creation and metadata outside the timed part, as for the relay
            long start = System.nanoTime();
            for (StoredEvent e : events) {
                producer.send(KafkaMessageFactory.createWriter(topic, e.coordinate().toString())
                        .writeBinary(StoredCloudEvent.of(e, k -> Optional.empty())));
            }
            producer.flush();
            return System.nanoTime() - start;
        }
    }

    /** Nanoseconds for a fresh relay to commit every event of the store to {@code topic}. */
    private static long relayAll(String servers, EventStore store, String topic) throws InterruptedException {
        long head = store.globalSequence();
        RelayConfig config = new RelayConfig(servers, topic, topic + "-offsets", topic, Set.of(), 500, Map.of());
        try (KafkaRelay relay = new KafkaRelay(store, config, k -> Optional.empty())) {
            long start = System.nanoTime();
            Thread t = new Thread(relay, "relay-" + topic);
            t.start();
            while (relay.status().position() < head) {
                Thread.sleep(1);
            }
            return System.nanoTime() - start;
        }
    }

    private static void lag(String servers, EventStore store) throws InterruptedException {
        RelayConfig config = new RelayConfig(servers, "bench-lag", "bench-lag-offsets", "bench-lag", Set.of(), 500, Map.of());
        long head = store.globalSequence();
        Map<Long, Long> appendedAt = new ConcurrentHashMap<>();
        try (KafkaRelay relay = new KafkaRelay(store, config, k -> Optional.empty())) {
            Thread t = new Thread(relay, "relay-lag");
            t.start();
            while (relay.status().position() < head) { // catch up on the filled store first
                Thread.sleep(5);
            }
            int total = RATE * LAG_SECONDS;
            Thread writer = new Thread(() -> {
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    long due = start + i * 1_000_000_000L / RATE;
                    while (System.nanoTime() < due) {
                        LockSupport.parkNanos(due - System.nanoTime());
                    }
                    long g = store.append(request(i)).globalSequence();
                    appendedAt.put(g, System.nanoTime());
                }
            }, "paced-writer");
            writer.start();
            long[] lags = new long[total];
            int seen = 0;
            long next = head + 1;
            long last = head + total;
            while (next <= last) {
                long position = relay.status().position();
                long now = System.nanoTime();
                while (next <= position) {
                    Long at = appendedAt.remove(next);
                    lags[seen++] = at == null ? 0 : now - at; // relayed before its append returned: no lag
                    next++;
                }
                LockSupport.parkNanos(200_000);
            }
            writer.join();
            Arrays.sort(lags, 0, seen);
            System.out.printf("LAG at %d appends/s for %d s (%d events): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n", RATE,
                    LAG_SECONDS, seen, lags[seen / 2] / 1e6, lags[(int) (seen * 0.99)] / 1e6, lags[seen - 1] / 1e6);
        }
    }

    private static double rate(int n, long nanos) {
        return n * 1e9 / nanos;
    }
}
