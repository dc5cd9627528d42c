package io.batpak.ee;

import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every tuning knob of the store, read once from MicroProfile Config. Defaults live in the
 * {@code config} module's {@code META-INF/microprofile-config.properties} and are documented key by
 * key in {@code config/README.md}; the values here repeat them so the bean also works without that
 * file. Immutable after injection; thread-safe.
 */
@ApplicationScoped
public class BatpakSettings {
    @Inject
    @ConfigProperty(name = "batpak.data-dir", defaultValue = "./batpak-data")
    String dataDir;
    @Inject
    @ConfigProperty(name = "batpak.sync-mode", defaultValue = "every-commit")
    String syncMode;
    @Inject
    @ConfigProperty(name = "batpak.sync-interval-ms", defaultValue = "100")
    long syncIntervalMs;
    @Inject
    @ConfigProperty(name = "batpak.segment-max-bytes", defaultValue = "268435456")
    long segmentMaxBytes;
    @Inject
    @ConfigProperty(name = "batpak.writer-queue-capacity", defaultValue = "4096")
    int writerQueueCapacity;
    @Inject
    @ConfigProperty(name = "batpak.max-event-payload-bytes", defaultValue = "1048576")
    int maxEventPayloadBytes;
    @Inject
    @ConfigProperty(name = "batpak.max-request-body-bytes", defaultValue = "16777216")
    long maxRequestBodyBytes;
    @Inject
    @ConfigProperty(name = "batpak.checkpoint-interval-events", defaultValue = "1000000")
    long checkpointIntervalEvents;
    @Inject
    @ConfigProperty(name = "batpak.reader-open-files", defaultValue = "64")
    int readerOpenFiles;
    @Inject
    @ConfigProperty(name = "batpak.health.min-free-disk-bytes", defaultValue = "67108864")
    long minFreeDiskBytes;
    @Inject
    @ConfigProperty(name = "batpak.subscriber-buffer", defaultValue = "1024")
    int subscriberBuffer;
    @Inject
    @ConfigProperty(name = "batpak.auth.mode", defaultValue = "jwt")
    String authMode;
    @Inject
    @ConfigProperty(name = "batpak.auth.issuer", defaultValue = "batpak")
    String authIssuer;
    @Inject
    @ConfigProperty(name = "batpak.auth.admin-token-days", defaultValue = "3650")
    long adminTokenDays;
    @Inject
    @ConfigProperty(name = "batpak.limits.sse-per-principal", defaultValue = "16")
    int ssePerPrincipal;
    @Inject
    @ConfigProperty(name = "batpak.limits.max-wait-ms", defaultValue = "30000")
    long maxWaitMs;
    @Inject
    @ConfigProperty(name = "batpak.http.answer-threads", defaultValue = "2")
    int answerThreads;

    /** The engine configuration these settings describe, with the writer on {@code writerExecutor}. */
    public StoreConfig storeConfig(Executor writerExecutor) {
        return StoreConfig.defaults(dataDirectory())
                .withSyncMode(SyncMode.parse(syncMode))
                .withSyncIntervalMs(syncIntervalMs)
                .withSegmentMaxBytes(segmentMaxBytes)
                .withWriterQueueCapacity(writerQueueCapacity)
                .withMaxPayloadBytes(maxEventPayloadBytes)
                .withCheckpointIntervalEvents(checkpointIntervalEvents)
                .withReaderOpenFiles(readerOpenFiles)
                .withWriterExecutor(writerExecutor);
    }

    public Path dataDirectory() {
        return Path.of(dataDir).toAbsolutePath().normalize();
    }

    public int maxEventPayloadBytes() {
        return maxEventPayloadBytes;
    }

    public long maxRequestBodyBytes() {
        return maxRequestBodyBytes;
    }

    public long minFreeDiskBytes() {
        return minFreeDiskBytes;
    }

    public int subscriberBuffer() {
        return subscriberBuffer;
    }

    /**
     * Whether requests must carry a valid bearer token: true unless {@code batpak.auth.mode} is
     * {@code none} (any other value than {@code jwt} or {@code none} is refused at start).
     */
    public boolean authRequired() {
        String mode = authMode.trim().toLowerCase(java.util.Locale.ROOT);
        if (!mode.equals("jwt") && !mode.equals("none")) {
            throw new IllegalStateException("batpak.auth.mode must be 'jwt' or 'none', was '" + authMode + "'");
        }
        return mode.equals("jwt");
    }

    /** The issuer ({@code iss}) of the generated admin token, also accepted when {@code mp.jwt.verify.issuer} is unset. */
    public String authIssuer() {
        return authIssuer;
    }

    /** Lifetime of the generated admin token, in days. */
    public long adminTokenDays() {
        return adminTokenDays;
    }

    /** Open SSE subscriptions one principal may hold at once; one more is refused with 429. */
    public int ssePerPrincipal() {
        return ssePerPrincipal;
    }

    /** Longest a long poll may wait, in milliseconds; longer requested waits are cut to this. */
    public long maxWaitMs() {
        return maxWaitMs;
    }

    /** Threads that build and write the answers of suspended appends ({@code batpak.http.answer-threads}). */
    public int answerThreads() {
        return answerThreads;
    }
}
