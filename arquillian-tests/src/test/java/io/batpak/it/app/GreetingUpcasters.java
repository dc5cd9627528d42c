package io.batpak.it.app;

import io.batpak.engine.EventKind;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.upcast.Upcaster;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;

/**
 * Test upcasters for kind {@value #KIND} (used by no other test): version 1 → 2 wraps the payload
 * as {@code {"v2":…}}, version 2 → 3 as {@code {"v3":…}}, so a read shows which steps ran. Two CDI
 * beans, installed on the store when the application starts.
 */
public final class GreetingUpcasters {
    /** The kind these upcasters read: category 0xF, type 0x0A1. */
    public static final int KIND = 0xF0A1;

    private GreetingUpcasters() {
    }

    static byte[] wrap(String key, byte[] inner) {
        return ("{\"" + key + "\":" + new String(inner, StandardCharsets.UTF_8) + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** Version 1 → 2. */
    @ApplicationScoped
    public static class V1ToV2 implements Upcaster {
        @Override
        public EventKind kind() {
            return new EventKind(KIND);
        }

        @Override
        public int fromVersion() {
            return 1;
        }

        @Override
        public byte[] upcast(StoredEvent event) {
            return wrap("v2", event.payload());
        }
    }

    /** Version 2 → 3. */
    @ApplicationScoped
    public static class V2ToV3 implements Upcaster {
        @Override
        public EventKind kind() {
            return new EventKind(KIND);
        }

        @Override
        public int fromVersion() {
            return 2;
        }

        @Override
        public byte[] upcast(StoredEvent event) {
            return wrap("v3", event.payload());
        }
    }
}
