package io.batpak.it.app;

import io.batpak.engine.gate.AppendContext;
import io.batpak.engine.gate.Denial;
import io.batpak.engine.gate.Gate;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;

/**
 * A test gate with a lower priority than {@link ExampleGate}, so it runs first: it refuses the entity
 * prefix {@code forbidden:first} that ExampleGate would refuse too. A denial naming this gate proves the
 * chain runs in ascending {@code @Priority} and stops at the first denial.
 */
@ApplicationScoped
@Priority(5)
public class FirstGate implements Gate {
    @Override
    public String name() {
        return "first-gate";
    }

    @Override
    public Optional<Denial> evaluate(AppendContext context) {
        if (context.coordinate().entity().startsWith("forbidden:first")) {
            return Optional.of(new Denial(name(), "first", "refused by the gate with the lowest priority"));
        }
        return Optional.empty();
    }
}
