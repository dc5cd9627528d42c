package io.batpak.streams.pipeline;

import io.batpak.engine.StoredEvent;
import java.util.Map;

/** An instance: its id ({@code "partition:offset"}), trigger event, whether every stage is done, and each stage, in definition order. Immutable. */
public record InstanceView(String instanceId, StoredEvent trigger, boolean done, Map<String, StageView> stages) {
}
