package io.batpak.streams.pipeline;

/**
 * A pipeline's definition and counts: instances started so far, how many are done, how many are
 * active without a parked stage ({@code running}), and how many have a parked stage. Immutable.
 */
public record PipelineSummary(String name, PipelineDefinition definition, long instances, long done, long running,
                              long parked) {
}
