package io.batpak.ee.kafka;

import io.batpak.ee.DeniedException;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.Completions;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Appends the records of Kafka topics to the store, exactly once across crashes.
 *
 * <p>Guarantees: each committed record ({@code read_committed}) of every partition the ingest reads
 * is stored as one event, or, if it cannot be (not mappable, refused by a gate), skipped with a
 * warning naming topic, partition, offset and reason and counted in {@link #rejected()}; never
 * twice, never lost. The offsets consumed are stored in the store in the same atomic batch as the
 * events (see {@link IngestCheckpoint}); on start the consumer seeks to them, so a crash at any point
 * repeats nothing that was stored and skips nothing that was not. Kafka's own consumer-group
 * offsets are not used. The partitions of the topics are taken when the ingest (re)starts.
 *
 * <p>Threading: {@link #run()} is the ingest's long-running task and the only user of the consumer
 * and checkpoint; {@link #close()} and the counters may be used from any thread.
 */
public final class KafkaIngest extends KafkaLoop {
    private static final Logger LOG = System.getLogger(KafkaIngest.class.getName());
    private static final Duration POLL = Duration.ofMillis(500);
    /** Failures caused by the record itself: retrying would fail again, so the record is skipped. */
    private static final Set<ErrorCode> RECORD_FAULTS = EnumSet.of(ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_COORDINATE,
            ErrorCode.RESERVED_KIND, ErrorCode.RESERVED_ENTITY, ErrorCode.PAYLOAD_TOO_LARGE,
            ErrorCode.IDEMPOTENCY_KEY_REUSED, ErrorCode.FORBIDDEN);

    private final EventStore store;
    private final IngestConfig config;
    private final RecordAppends mapper;
    private final BiFunction<List<AppendRequest>, Caller, CompletableFuture<List<AppendReceipt>>> appender;
    private final Caller caller;
    private final IngestCheckpoint checkpoint;
    private final AtomicLong ingested = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    /** The consumer of the current session; used by the task, woken by close(). */
    private volatile KafkaConsumer<String, byte[]> consumer;

    /**
     * @param appender writes a batch through the application's gates as {@code caller} (the
     *        checkpoint is of a reserved kind, so it must be the store's bookkeeping path)
     */
    public KafkaIngest(EventStore store, IngestConfig config, Function<String, Optional<Integer>> kindForType,
            BiFunction<List<AppendRequest>, Caller, CompletableFuture<List<AppendReceipt>>> appender, Caller caller) {
        super("Kafka ingest " + config.ingestId());
        this.store = store;
        this.config = config;
        this.mapper = new RecordAppends(config, kindForType);
        this.appender = appender;
        this.caller = caller;
        this.checkpoint = new IngestCheckpoint(config.ingestId());
    }

    /** Records stored as events since start. */
    public long ingested() {
        return ingested.get();
    }

    /** Records skipped since start because they could not be stored. */
    public long rejected() {
        return rejected.get();
    }

    @Override
    void session() throws InterruptedException {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerProperties(), new StringDeserializer(), new ByteArrayDeserializer());
        consumer = c;
        checkpoint.load(store);
        List<TopicPartition> partitions = partitions(c);
        c.assign(partitions);
        for (TopicPartition tp : partitions) {
            Long next = checkpoint.next(tp);
            if (next == null) {
                c.seekToBeginning(List.of(tp));
            } else {
                c.seek(tp, next);
            }
        }
        LOG.log(Level.INFO, "Kafka ingest " + config.ingestId() + " reads " + partitions.size() + " partitions of " + config.topics());
        while (running()) {
            ConsumerRecords<String, byte[]> records;
            try {
                records = c.poll(POLL);
            } catch (WakeupException closing) {
                return;
            }
            if (!records.isEmpty()) {
                ingest(records);
            }
        }
    }

    /** Every partition of the configured topics; waits while a topic does not exist yet. */
    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) throws InterruptedException {
        while (running()) {
            List<TopicPartition> all = new ArrayList<>();
            boolean missing = false;
            for (String topic : config.topics()) {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
                if (infos == null || infos.isEmpty()) {
                    missing = true;
                    break;
                }
                infos.forEach(i -> all.add(new TopicPartition(topic, i.partition())));
            }
            if (!missing) {
                return all;
            }
            pause(1_000);
        }
        return List.of();
    }

    /** Stores one poll's records and the advanced checkpoint in one batch; record by record if that fails for a record's sake. */
    private void ingest(ConsumerRecords<String, byte[]> records) {
        List<AppendRequest> batch = new ArrayList<>();
        Map<TopicPartition, Long> advanced = new LinkedHashMap<>();
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        boolean mapped = true;
        for (ConsumerRecord<String, byte[]> r : records) {
            all.add(r);
            advanced.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            try {
                batch.add(mapper.toAppend(r));
            } catch (StoreException e) {
                mapped = false;
            }
        }
        if (mapped) {
            batch.add(checkpoint.advancedTo(advanced));
            try {
                Completions.await(appender.apply(batch, caller));
                checkpoint.committed(advanced);
                ingested.addAndGet(batch.size() - 1L);
                return;
            } catch (DeniedException | StoreException e) {
                if (!isRecordFault(e)) {
                    throw e;
                }
            }
        }
        for (ConsumerRecord<String, byte[]> r : all) {
            ingestOne(r);
        }
    }

    private void ingestOne(ConsumerRecord<String, byte[]> r) {
        Map<TopicPartition, Long> advanced = Map.of(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
        try {
            Completions.await(appender.apply(List.of(mapper.toAppend(r), checkpoint.advancedTo(advanced)), caller));
            checkpoint.committed(advanced);
            ingested.incrementAndGet();
            return;
        } catch (DeniedException | StoreException e) {
            if (!isRecordFault(e)) {
                throw e;
            }
            LOG.log(Level.WARNING, "Kafka ingest " + config.ingestId() + " skips " + r.topic() + "/" + r.partition() + "@"
                    + r.offset() + ": " + e.getMessage());
        }
        Completions.await(appender.apply(List.of(checkpoint.advancedTo(advanced)), caller));
        checkpoint.committed(advanced);
        rejected.incrementAndGet();
    }

    private static boolean isRecordFault(RuntimeException e) {
        return e instanceof DeniedException || e instanceof StoreException s && RECORD_FAULTS.contains(s.code());
    }

    private Properties consumerProperties() {
        Properties p = new Properties();
        p.putAll(config.consumerProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.pollMax()));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "batpak-ingest-" + config.ingestId());
        return p;
    }

    @Override
    void closeClient(boolean fromOtherThread) {
        KafkaConsumer<String, byte[]> c = consumer;
        if (c == null) {
            return;
        }
        if (fromOtherThread) {
            c.wakeup(); // the one consumer method safe from another thread; the task then closes it
            return;
        }
        consumer = null;
        try {
            c.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "closing the ingest's consumer: " + e);
        }
    }
}
