package io.batpak.ee;

import io.batpak.engine.StoredEvent;
import io.batpak.streams.TxStatement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Metadata of a message of a {@code batpak} stage channel (an incoming channel with attributes
 * {@code pipeline} and {@code stage}): which delivery it is, the trigger event and the inputs (stage
 * → output as JSON text). The stage's output travels back the same way: call {@link #output} (JSON
 * text, optionally with stream events) before acking the message; the ack then commits it. A
 * message acked without an output counts as a nack. Thread-safe: the output slot is atomic.
 */
public final class BatpakStageMetadata {
    private final String pipeline;
    private final String stage;
    private final String deliveryId;
    private final String instanceId;
    private final StoredEvent trigger;
    private final Map<String, String> inputs;
    private final AtomicReference<StageOutput> output = new AtomicReference<>();

    BatpakStageMetadata(String pipeline, String stage, String deliveryId, String instanceId, StoredEvent trigger,
                        Map<String, String> inputs) {
        this.pipeline = pipeline;
        this.stage = stage;
        this.deliveryId = deliveryId;
        this.instanceId = instanceId;
        this.trigger = trigger;
        this.inputs = Map.copyOf(inputs);
    }

    public String pipeline() {
        return pipeline;
    }

    public String stage() {
        return stage;
    }

    public String deliveryId() {
        return deliveryId;
    }

    public String instanceId() {
        return instanceId;
    }

    public StoredEvent trigger() {
        return trigger;
    }

    public Map<String, String> inputs() {
        return inputs;
    }

    /** Sets the output (JSON text) the message's ack commits. */
    public void output(String json) {
        output(new StageOutput(json, List.of()));
    }

    /** Sets the output and the stream events the message's ack commits with it. */
    public void output(String json, List<TxStatement.Publish> events) {
        output(new StageOutput(json, events));
    }

    private void output(StageOutput o) {
        output.set(o);
    }

    StageOutput takenOutput() {
        return output.get();
    }
}
