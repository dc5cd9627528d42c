package io.batpak.ee;

import io.batpak.streams.TxStatement;
import java.util.List;

/**
 * What a {@link PipelineStage} method may return instead of a bare output: the output (JSON text)
 * and stream events committed atomically with it. Immutable.
 */
public record StageOutput(String output, List<TxStatement.Publish> events) {
    public StageOutput {
        events = events == null ? List.of() : List.copyOf(events);
    }
}
