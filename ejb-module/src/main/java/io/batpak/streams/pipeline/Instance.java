package io.batpak.streams.pipeline;

import io.batpak.engine.StoredEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The state of one instance: stored outputs, failure counts since the last replay, parked stages
 * and the delivery out now per stage. Built from the instance's records when a pipeline loads, and
 * kept up to date as records are written. Not thread-safe: every field is guarded by the monitor of
 * the owning {@link Pipeline}.
 */
final class Instance {
    final String id;
    final int partition;
    final long offset;
    /** The trigger, read on first delivery and kept while the instance is active. */
    StoredEvent trigger;
    final Map<String, byte[]> outputs = new LinkedHashMap<>();
    final Map<String, Integer> failures = new HashMap<>();
    final Map<String, Integer> deliveries = new HashMap<>();
    final Map<String, String> lastReason = new HashMap<>();
    final Set<String> parked = new HashSet<>();
    /** Stage → the id of its delivery out now (an ack being written included). */
    final Map<String, String> running = new HashMap<>();

    Instance(int partition, long offset) {
        this.partition = partition;
        this.offset = offset;
        this.id = id(partition, offset);
    }

    static String id(int partition, long offset) {
        return partition + ":" + offset;
    }

    /** The {@code [partition, offset]} an id names, or null if it is not of the form {@code p:o}. */
    static long[] parse(String instanceId) {
        int colon = instanceId == null ? -1 : instanceId.indexOf(':');
        if (colon <= 0 || colon == instanceId.length() - 1) {
            return null;
        }
        try {
            long p = Long.parseLong(instanceId.substring(0, colon));
            long o = Long.parseLong(instanceId.substring(colon + 1));
            return p < 0 || p > Integer.MAX_VALUE || o < 0 || !id((int) p, o).equals(instanceId) ? null : new long[] {p, o};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    boolean complete(PipelineDefinition d) {
        return outputs.size() == d.stages().size();
    }

    boolean hasParked() {
        return !parked.isEmpty();
    }

    /** Whether every stage {@code s} depends on has its output. */
    boolean inputsReady(StageSpec s) {
        for (String d : s.dependsOn()) {
            if (!outputs.containsKey(d)) {
                return false;
            }
        }
        return true;
    }

    StageState state(StageSpec s) {
        if (outputs.containsKey(s.name())) {
            return StageState.DONE;
        }
        if (parked.contains(s.name())) {
            return StageState.PARKED;
        }
        if (running.containsKey(s.name())) {
            return StageState.RUNNING;
        }
        return inputsReady(s) ? StageState.READY : StageState.WAITING;
    }

    /** Counts a failed delivery of {@code stage}; true if that parks it. */
    boolean fail(String stage, String reason, int maxDeliveries) {
        int n = failures.merge(stage, 1, Integer::sum);
        if (reason != null) {
            lastReason.put(stage, reason);
        }
        if (maxDeliveries > 0 && n >= maxDeliveries) {
            parked.add(stage);
            return true;
        }
        return false;
    }

    /** Makes a parked {@code stage} deliverable again with a fresh count. */
    void revive(String stage) {
        parked.remove(stage);
        failures.remove(stage);
    }

    InstanceView view(PipelineDefinition d) {
        Map<String, StageView> stages = new LinkedHashMap<>();
        for (StageSpec s : d.stages()) {
            int delivered = Math.max(deliveries.getOrDefault(s.name(), 0),
                    failures.getOrDefault(s.name(), 0) + (outputs.containsKey(s.name()) ? 1 : 0));
            stages.put(s.name(), new StageView(state(s), outputs.get(s.name()), delivered, lastReason.get(s.name())));
        }
        return new InstanceView(id, trigger, complete(d), stages);
    }
}
