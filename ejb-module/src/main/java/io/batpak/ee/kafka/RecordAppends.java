package io.batpak.ee.kafka;

import io.batpak.ee.CloudEventAppends;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;
import io.batpak.engine.gate.ClientAppends;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.message.MessageReader;
import io.cloudevents.kafka.KafkaMessageFactory;
import io.cloudevents.rw.CloudEventRWException;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A Kafka record as the client append it stands for (see {@link IngestConfig} for the mapping). A
 * record that cannot be one fails with {@link ErrorCode#INVALID_REQUEST} (or the reserved-name codes
 * of {@link ClientAppends}) saying why. Stateless.
 */
final class RecordAppends {
    private final IngestConfig config;
    private final Function<String, Optional<Integer>> kindForType;

    RecordAppends(IngestConfig config, Function<String, Optional<Integer>> kindForType) {
        this.config = config;
        this.kindForType = kindForType;
    }

    AppendRequest toAppend(ConsumerRecord<String, byte[]> r) {
        AppendRequest request = isCloudEvent(r) ? fromCloudEvent(r) : plain(r);
        ClientAppends.check(request);
        return request;
    }

    private static boolean isCloudEvent(ConsumerRecord<String, byte[]> r) {
        if (r.headers().lastHeader("ce_specversion") != null) {
            return true;
        }
        var contentType = r.headers().lastHeader("content-type");
        return contentType != null && new String(contentType.value(), java.nio.charset.StandardCharsets.UTF_8)
                .startsWith("application/cloudevents");
    }

    private AppendRequest fromCloudEvent(ConsumerRecord<String, byte[]> r) {
        CloudEvent event;
        try {
            MessageReader reader = KafkaMessageFactory.createReader(r);
            event = reader.toEvent();
        } catch (CloudEventRWException | IllegalStateException e) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "malformed CloudEvent record: " + e.getMessage());
        }
        return CloudEventAppends.toAppend(event, kindForType);
    }

    private AppendRequest plain(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null || r.key().isEmpty()) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a record that is not a CloudEvent needs a key (the entity)");
        }
        if (config.kind() == null) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a record that is not a CloudEvent needs a configured kind"
                    + " (batpak.kafka.ingest.kind)");
        }
        String scope = config.scope() != null ? config.scope() : r.topic();
        byte[] payload = r.value() == null ? new byte[0] : r.value();
        return new AppendRequest(new Coordinate(r.key(), scope), new EventKind(config.kind()), payload,
                io.batpak.engine.AppendOptions.NONE);
    }
}
