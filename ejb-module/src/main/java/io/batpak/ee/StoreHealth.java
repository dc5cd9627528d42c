package io.batpak.ee;

import io.batpak.engine.EventStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
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
 *
 * <p>{@code /health} is open to anyone who can reach the port, so its data names a failure only by
 * its exception type: exception messages carry file paths (segment names, the data directory) and
 * the server log, not the health answer, is where an operator reads them.
 */
public final class StoreHealth {
    private static final Logger LOG = System.getLogger(StoreHealth.class.getName());

    private StoreHealth() {
    }

    /** What a health answer may say about {@code t}: its type, never its message. */
    static String describe(Throwable t) {
        return t.getClass().getSimpleName() + " (details in the server log)";
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
                s.writerFailure().ifPresent(f -> b.withData("failure", describe(f)));
                return b.status(s.isWritable()).build();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "liveness check failed", e);
                return b.down().withData("error", describe(e)).build();
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
                LOG.log(Level.WARNING, "readiness check failed", e);
                return b.down().withData("error", describe(e)).build();
            }
        }
    }
}
