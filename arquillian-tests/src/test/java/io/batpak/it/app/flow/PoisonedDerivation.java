package io.batpak.it.app.flow;

import io.batpak.engine.StoredEvent;
import io.batpak.streams.flow.Derivation;
import io.batpak.streams.flow.Emitter;
import io.batpak.streams.flow.KeyedState;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Derivation {@code poisoned} over stream {@code poison}: counts events per key, and fails on an
 * event whose payload contains {@code "poison"}, so DerivationsIT can see a failed derivation in
 * {@code GET /derivations} and in readiness. Stateless itself.
 */
@ApplicationScoped
public class PoisonedDerivation implements Derivation {
    public static final String NAME = "poisoned";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> sources() {
        return List.of("poison");
    }

    @Override
    public void apply(StoredEvent event, KeyedState state, Emitter emit) {
        if (new String(event.payload(), StandardCharsets.UTF_8).contains("poison")) {
            throw new IllegalStateException("poisoned event at offset " + event.sequence());
        }
        String v = state.getString();
        state.putString(Long.toString(v == null ? 1 : Long.parseLong(v) + 1));
    }
}
