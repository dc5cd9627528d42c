package io.batpak.ee.kafka;

import io.batpak.ee.StoredCloudEvent;
import io.batpak.engine.StoredEvent;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The records a relay writes. An event becomes a record in the CloudEvents Kafka binding, binary
 * mode ({@code ce_*} headers, the payload as the value) keyed by its coordinate
 * {@code entity@scope}, so all events of an entity land in one partition, in sequence order. A
 * position record carries the relay's position as decimal text under the relay's id. Stateless.
 */
final class RelayRecords {
    private final String topic;
    private final String offsetsTopic;
    private final String relayId;
    private final Function<Integer, Optional<String>> typeForKind;

    RelayRecords(RelayConfig config, Function<Integer, Optional<String>> typeForKind) {
        this.topic = config.topic();
        this.offsetsTopic = config.offsetsTopic();
        this.relayId = config.relayId();
        this.typeForKind = typeForKind;
    }

    ProducerRecord<String, byte[]> event(StoredEvent e) {
        String key = e.coordinate().toString();
        return KafkaMessageFactory.createWriter(topic, key).writeBinary(StoredCloudEvent.of(e, typeForKind));
    }

    ProducerRecord<String, byte[]> position(long globalSequence) {
        return new ProducerRecord<>(offsetsTopic, 0, relayId, Long.toString(globalSequence).getBytes(StandardCharsets.US_ASCII));
    }

    /** The position a position record's value holds. */
    static long parsePosition(byte[] value) {
        return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
    }
}
