package io.batpak.streams.pipeline;

import io.batpak.engine.StoredEvent;
import java.util.Map;

/**
 * One stage of one instance handed to a consumer: ack it with {@link Pipelines#ack} (an output is
 * required) or {@link Pipelines#nack} before the pipeline's ack timeout. {@code inputs} holds the
 * output of every stage this one depends on, by stage name (arrays shared: do not modify).
 * Immutable otherwise.
 */
public record StageDelivery(String deliveryId, String pipeline, String stage, String instanceId, StoredEvent trigger,
                            Map<String, byte[]> inputs) {
    public StageDelivery {
        inputs = Map.copyOf(inputs);
    }
}
