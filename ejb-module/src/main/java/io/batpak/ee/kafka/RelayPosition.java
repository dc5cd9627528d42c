package io.batpak.ee.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The relay's bookkeeping in Kafka: creates its topics when missing (the offsets topic compacted,
 * one partition) and reads back its committed position with {@code read_committed}, so a position
 * written by a transaction that never committed (a crash mid-batch) is never seen. Each call opens
 * and closes its own clients.
 */
final class RelayPosition {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private RelayPosition() {
    }

    /** Creates the event topic (broker defaults) and the compacted offsets topic if they do not exist. */
    static void ensureTopics(RelayConfig config) throws InterruptedException {
        Properties p = new Properties();
        p.putAll(config.producerProperties());
        p.put("bootstrap.servers", config.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            NewTopic events = new NewTopic(config.topic(), java.util.Optional.empty(), java.util.Optional.empty());
            NewTopic offsets = new NewTopic(config.offsetsTopic(), java.util.Optional.of(1), java.util.Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            for (var created : admin.createTopics(List.of(events, offsets)).values().values()) {
                try {
                    created.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new org.apache.kafka.common.KafkaException("cannot create the relay's topics", e.getCause());
                    }
                }
            }
        }
    }

    /**
     * The last committed position of {@code config.relayId()}, or 0 (nothing relayed yet). Call it
     * after the relay's producer ran {@code initTransactions}, which ends any transaction a previous
     * instance left open, so the committed end of the topic is final.
     */
    static long read(RelayConfig config) {
        Properties p = new Properties();
        p.putAll(config.producerProperties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        TopicPartition tp = new TopicPartition(config.offsetsTopic(), 0);
        long position = 0;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(Set.of(tp));
            consumer.seekToBeginning(Set.of(tp));
            long end = consumer.endOffsets(Set.of(tp), READ_TIMEOUT).get(tp);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (consumer.position(tp, READ_TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("reading the relay position from "
                            + config.offsetsTopic() + " took over " + READ_TIMEOUT);
                }
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (config.relayId().equals(r.key()) && r.value() != null) {
                        position = RelayRecords.parsePosition(r.value());
                    }
                }
            }
        }
        return position;
    }
}
