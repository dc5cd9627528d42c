package io.batpak.ee.kafka;

import io.batpak.engine.Cursor;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.WatermarkLevel;
import io.batpak.engine.gate.ClientAppends;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Relays the store's committed events to a Kafka topic, exactly once across crashes of either side.
 *
 * <p>Guarantees: every durable event of the log whose scope is relayed (and whose kind is not
 * of a category reserved to the store, see {@link ClientAppends#isReservedKind}) appears in the topic exactly once for
 * {@code read_committed} consumers, in per-entity order (the record key is the coordinate). Each
 * batch of records is written in one Kafka transaction together with the relay's position in the
 * offsets topic (as KIP-618 exactly-once source connectors do); a restarted relay fences its
 * predecessor ({@code initTransactions} on the same {@code transactional.id}), reads the committed
 * position back and resumes after it, so a batch cut short by a crash is aborted and written again.
 * An event is sent only once it is durable in the log, so Kafka never holds an event a power loss
 * could take from the store.
 *
 * <p>The relay reads through a {@link Cursor} and never slows the writer: when Kafka is slow or
 * away, the relay lags (see {@link #status()}) and retries. If another relay with the same id takes
 * over, this one stops.
 *
 * <p>Threading: {@link #run()} is the relay's own long-running task and the only user of the
 * producer and cursor; {@link #status()} and {@link #close()} may be called from any thread.
 */
public final class KafkaRelay extends KafkaLoop {
    private static final Logger LOG = System.getLogger(KafkaRelay.class.getName());
    private static final long IDLE_WAIT_MS = 200;
    private static final long DURABLE_WAIT_MS = 30_000;

    private final EventStore store;
    private final RelayConfig config;
    private final RelayRecords records;
    /** Written by the relay task only; read by any thread. */
    private volatile long position;
    private volatile String state = RelayStatus.RETRYING;
    private volatile String lastError;
    /** The producer of the current session; set and closed by the relay task, closed by close() to wake it. */
    private volatile KafkaProducer<String, byte[]> producer;

    public KafkaRelay(EventStore store, RelayConfig config, Function<Integer, Optional<String>> typeForKind) {
        super("Kafka relay " + config.relayId());
        this.store = store;
        this.config = config;
        this.records = new RelayRecords(config, typeForKind);
    }

    /** Position, lag and state now. */
    public RelayStatus status() {
        long head;
        try {
            head = store.globalSequence();
        } catch (StoreException closed) {
            head = position;
        }
        return new RelayStatus(state, position, Math.max(0, head - position), lastError);
    }

    @Override
    boolean isFatal(RuntimeException e) {
        // Another relay with the same transactional.id took over, or this one may not write.
        return e instanceof ProducerFencedException || e instanceof AuthorizationException;
    }

    @Override
    void failed(RuntimeException e) {
        lastError = e.getClass().getSimpleName();
        state = RelayStatus.RETRYING;
    }

    @Override
    void ended() {
        state = RelayStatus.STOPPED;
    }

    /**
     * One producer's life: fence earlier instances, read the committed position, then relay batch
     * after batch. Any failure ends the session; the next one starts again from what Kafka committed.
     */
    @Override
    void session() throws InterruptedException {
        RelayPosition.ensureTopics(config);
        KafkaProducer<String, byte[]> p = new KafkaProducer<>(producerProperties(), new StringSerializer(), new ByteArraySerializer());
        producer = p;
        if (!running()) {
            return;
        }
        p.initTransactions();
        position = RelayPosition.read(config);
        Cursor cursor = store.cursor(Region.all(), position);
        state = RelayStatus.RUNNING;
        LOG.log(Level.INFO, "Kafka relay " + config.relayId() + " to " + config.topic() + " resumes after global sequence " + position);
        while (running()) {
            List<StoredEvent> batch = cursor.poll(config.batchMax());
            if (batch.isEmpty()) {
                store.awaitWatermark(position + 1, WatermarkLevel.VISIBLE, IDLE_WAIT_MS);
                continue;
            }
            long last = cursor.position();
            if (!store.awaitWatermark(last, WatermarkLevel.DURABLE, DURABLE_WAIT_MS)) {
                throw new StoreException(ErrorCode.UNAVAILABLE, "events up to " + last + " not durable within " + DURABLE_WAIT_MS + " ms");
            }
            p.beginTransaction();
            for (StoredEvent e : batch) {
                if (!ClientAppends.isReservedKind(e.kind()) && config.relays(e.scope())) {
                    p.send(records.event(e));
                }
            }
            p.send(records.position(last));
            p.commitTransaction(); // also waits for every send of the batch; a failed send fails the commit
            position = last;
            lastError = null;
        }
    }

    private Properties producerProperties() {
        Properties p = new Properties();
        p.putAll(config.producerProperties());
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.relayId());
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "batpak-relay-" + config.relayId());
        return p;
    }

    @Override
    void closeClient(boolean fromOtherThread) {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            return;
        }
        if (!fromOtherThread) {
            producer = null;
        }
        try {
            // From another thread: close at once, which wakes a call blocked on an unreachable broker.
            p.close(fromOtherThread ? Duration.ZERO : Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "closing the relay's producer: " + e);
        }
    }
}
