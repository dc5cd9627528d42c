package io.batpak.it.app;

import io.batpak.engine.gate.AppendContext;
import io.batpak.engine.gate.Denial;
import io.batpak.engine.gate.Gate;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;

/** A test gate: refuses any event whose entity starts with {@code forbidden:}. */
@ApplicationScoped
@Priority(10)
public class ExampleGate implements Gate {
    @Override
    public String name() {
        return "no-forbidden-entities";
    }

    @Override
    public Optional<Denial> evaluate(AppendContext context) {
        if (context.coordinate().entity().startsWith("forbidden:")) {
            return Optional.of(new Denial(name(), "entity-forbidden", "entities named forbidden:* are refused",
                    Map.of("entity", context.coordinate().entity())));
        }
        return Optional.empty();
    }
}
