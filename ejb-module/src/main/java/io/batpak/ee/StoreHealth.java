package io.batpak.ee;

import io.batpak.engine.EventStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile Health checks. Live: the writer runs and has not failed (after a write or fsync
 * failure the store is read-only until reopened, and liveness says so). Ready: the index is loaded
 * and the data directory's free space is above {@code batpak.health.min-free-disk-bytes}.
 */
public final class StoreHealth {
    private StoreHealth() {
    }

    @Liveness
    @ApplicationScoped
    public static class Live implements HealthCheck {
        @Inject
        BatpakStore store;

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("batpak-writer");
            if (!store.isOpen()) {
                return b.down().withData("state", "not open").build();
            }
            try {
                EventStore s = store.engine();
                b.withData("writable", s.isWritable());
                s.writerFailure().ifPresent(f -> b.withData("failure", String.valueOf(f)));
                return b.status(s.isWritable()).build();
            } catch (RuntimeException e) {
                return b.down().withData("error", String.valueOf(e.getMessage())).build();
            }
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Ready implements HealthCheck {
        @Inject
        BatpakStore store;

        @Override
        public HealthCheckResponse call() {
            HealthCheckResponseBuilder b = HealthCheckResponse.named("batpak-store");
            if (!store.isOpen()) {
                return b.down().withData("state", "not open").build();
            }
            try {
                EventStore s = store.engine();
                long free = Files.getFileStore(store.settings().dataDirectory()).getUsableSpace();
                long floor = store.settings().minFreeDiskBytes();
                b.withData("events", s.globalSequence()).withData("freeDiskBytes", free)
                        .withData("minFreeDiskBytes", floor);
                return b.status(s.isWritable() && free >= floor).build();
            } catch (IOException | RuntimeException e) {
                return b.down().withData("error", String.valueOf(e.getMessage())).build();
            }
        }
    }
}
