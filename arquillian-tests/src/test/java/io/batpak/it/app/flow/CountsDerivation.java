package io.batpak.it.app.flow;

import io.batpak.engine.EventKind;
import io.batpak.engine.StoredEvent;
import io.batpak.streams.flow.Derivation;
import io.batpak.streams.flow.Emitter;
import io.batpak.streams.flow.KeyedState;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Derivation {@code counts} over streams {@code clicks} and {@code buys} with four shards: per
 * stream key, the count and the sum of the source payloads ({@code {"v":<integer>}}) as state
 * {@code {"count":n,"sum":s}}, and one derived event per source event to stream {@code derived}
 * naming its source ({@code "src":"<entity>#<offset>"}) and the key's new count and sum. Started
 * with the application because it is a CDI bean. Stateless itself (the state lives in the store).
 */
@ApplicationScoped
public class CountsDerivation implements Derivation {
    public static final String NAME = "counts";
    public static final String OUT = "derived";
    /** Kind of the derived events (category 1, type 0x501). */
    public static final EventKind DERIVED = EventKind.of(1, 0x501);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> sources() {
        return List.of("clicks", "buys");
    }

    @Override
    public int shards() {
        return 4;
    }

    @Override
    public void apply(StoredEvent event, KeyedState state, Emitter emit) {
        // The payload is {"v":<integer>}, as DerivationsIT publishes it.
        long value = Long.parseLong(new String(event.payload(), StandardCharsets.UTF_8).replaceAll("[^0-9-]", ""));
        long count = 1;
        long sum = value;
        String old = state.getString();
        if (old != null) {
            // {"count":n,"sum":s}: this bean wrote it, so a split on the separators reads it back.
            String[] parts = old.replaceAll("[^0-9,-]", "").split(",");
            count += Long.parseLong(parts[0]);
            sum += Long.parseLong(parts[1]);
        }
        state.putString("{\"count\":" + count + ",\"sum\":" + sum + "}");
        String derived = "{\"src\":\"" + event.coordinate().entity() + "#" + event.sequence() + "\",\"key\":\""
                + state.key() + "\",\"count\":" + count + ",\"sum\":" + sum + "}";
        emit.emit(OUT, state.key(), DERIVED, derived.getBytes(StandardCharsets.UTF_8));
    }
}
