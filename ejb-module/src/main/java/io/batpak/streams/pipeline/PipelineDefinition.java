package io.batpak.streams.pipeline;

import io.batpak.streams.StartPosition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A pipeline: the stream it reads, the kinds that trigger an instance (empty: every kind), where
 * it starts, the delivery limits of its stages and the DAG of stages. {@code version} is the
 * definition's own number (1 unless the author says otherwise); a definition is stored once per
 * name and never changed, so a new version is a new pipeline name.
 *
 * <p>Validated on construction: at least one stage, unique stage names, every {@code dependsOn}
 * names a stage of the definition, no cycle (a stage depending on itself included); violations are
 * {@link InvalidPipelineException}. Triggers are kept sorted and without duplicates, so two
 * definitions listing the same kinds in another order are equal. Immutable.
 */
public record PipelineDefinition(int version, String input, List<Integer> triggers, StartPosition start,
                                 int maxDeliveries, long ackTimeoutMs, List<StageSpec> stages) {
    /** Most stages a pipeline may have. */
    public static final int MAX_STAGES = 64;
    /** The ack timeout of a definition that does not name one. */
    public static final long DEFAULT_ACK_TIMEOUT_MS = 30_000;

    public PipelineDefinition {
        if (version < 1) {
            throw new InvalidPipelineException("version must be 1 or more, was " + version);
        }
        if (input == null || input.isEmpty()) {
            throw new InvalidPipelineException("a pipeline needs an input stream");
        }
        TreeSet<Integer> kinds = new TreeSet<>();
        for (Integer k : triggers == null ? List.<Integer>of() : triggers) {
            if (k == null || k < 0 || k > 0xFFFF) {
                throw new InvalidPipelineException("a trigger kind must be within 0..65535, was " + k);
            }
            kinds.add(k);
        }
        triggers = List.copyOf(kinds);
        start = start == null ? StartPosition.EARLIEST : start;
        if (maxDeliveries < 0) {
            throw new InvalidPipelineException("maxDeliveries must be 0 (unlimited) or more, was " + maxDeliveries);
        }
        if (ackTimeoutMs < 1) {
            throw new InvalidPipelineException("ackTimeoutMs must be 1 or more, was " + ackTimeoutMs);
        }
        stages = stages == null ? List.of() : List.copyOf(stages);
        checkDag(stages);
    }

    /** Version 1, every kind triggers, earliest start, unlimited deliveries, the default ack timeout. */
    public static PipelineDefinition of(String input, List<StageSpec> stages) {
        return new PipelineDefinition(1, input, List.of(), StartPosition.EARLIEST, 0, DEFAULT_ACK_TIMEOUT_MS, stages);
    }

    private static void checkDag(List<StageSpec> stages) {
        if (stages.isEmpty()) {
            throw new InvalidPipelineException("a pipeline needs at least one stage");
        }
        if (stages.size() > MAX_STAGES) {
            throw new InvalidPipelineException("a pipeline has at most " + MAX_STAGES + " stages, not " + stages.size());
        }
        Map<String, StageSpec> byName = new LinkedHashMap<>();
        for (StageSpec s : stages) {
            if (s == null || s.name() == null || s.name().isEmpty() || s.name().length() > 200) {
                throw new InvalidPipelineException("a stage needs a name of 1..200 characters");
            }
            if (byName.put(s.name(), s) != null) {
                throw new InvalidPipelineException("stage '" + s.name() + "' is defined twice");
            }
        }
        for (StageSpec s : stages) {
            Set<String> seen = new HashSet<>();
            for (String d : s.dependsOn()) {
                if (!byName.containsKey(d)) {
                    throw new InvalidPipelineException("stage '" + s.name() + "' depends on unknown stage '" + d + "'");
                }
                if (!seen.add(d)) {
                    throw new InvalidPipelineException("stage '" + s.name() + "' lists '" + d + "' twice in dependsOn");
                }
            }
        }
        // Kahn's algorithm: whatever is left once no stage without pending dependencies remains is on a cycle.
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> dependents = new HashMap<>();
        Deque<String> free = new ArrayDeque<>();
        for (StageSpec s : stages) {
            pending.put(s.name(), s.dependsOn().size());
            for (String d : s.dependsOn()) {
                dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(s.name());
            }
            if (s.dependsOn().isEmpty()) {
                free.add(s.name());
            }
        }
        int ordered = 0;
        while (!free.isEmpty()) {
            String s = free.poll();
            ordered++;
            for (String next : dependents.getOrDefault(s, List.of())) {
                if (pending.merge(next, -1, Integer::sum) == 0) {
                    free.add(next);
                }
            }
        }
        if (ordered < stages.size()) {
            List<String> onCycle = new ArrayList<>();
            pending.forEach((name, n) -> {
                if (n > 0) {
                    onCycle.add(name);
                }
            });
            onCycle.sort(null);
            throw new InvalidPipelineException("the stages " + onCycle + " depend on each other in a cycle");
        }
    }

    /** The stage called {@code name}, or null. */
    public StageSpec stage(String name) {
        for (StageSpec s : stages) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** Whether an event of {@code kind} starts an instance. */
    public boolean triggeredBy(int kind) {
        return triggers.isEmpty() || triggers.contains(kind);
    }
}
