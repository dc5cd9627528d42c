package io.batpak.it.app;

import io.batpak.engine.gate.AppendContext;
import io.batpak.engine.Caller;
import io.batpak.engine.gate.Denial;
import io.batpak.engine.gate.Gate;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A test gate that proves gates see the principal: it refuses entities named {@code whoami:*} and
 * reports the caller's name, roles and grants in the denial's context.
 */
@ApplicationScoped
@Priority(20)
public class CallerEchoGate implements Gate {
    @Override
    public String name() {
        return "caller-echo";
    }

    @Override
    public Optional<Denial> evaluate(AppendContext context) {
        if (!context.coordinate().entity().startsWith("whoami:")) {
            return Optional.empty();
        }
        Caller c = context.caller();
        return Optional.of(new Denial(name(), "echo", "echoes the caller", Map.of("name", c.name(),
                "roles", String.join(",", new TreeSet<>(c.roles())), "grants", String.join(",", new TreeSet<>(c.grants())))));
    }
}
