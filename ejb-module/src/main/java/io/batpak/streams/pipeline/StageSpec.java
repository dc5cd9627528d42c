package io.batpak.streams.pipeline;

import java.util.List;

/**
 * One stage of a pipeline definition: its name and the stages whose outputs it needs. The list is
 * copied; its order is kept (it is part of the definition's identity). Immutable.
 */
public record StageSpec(String name, List<String> dependsOn) {
    public StageSpec {
        dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }

    public StageSpec(String name) {
        this(name, List.of());
    }
}
