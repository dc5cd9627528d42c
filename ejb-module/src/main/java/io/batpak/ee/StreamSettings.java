package io.batpak.ee;

import io.batpak.streams.GroupConfig;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamsConfig;
import io.batpak.streams.TxLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The streams' knobs from MicroProfile Config ({@code batpak.streams.*}, documented in
 * {@code config/README.md}). Immutable after injection; thread-safe.
 */
@ApplicationScoped
public class StreamSettings {
    @Inject
    @ConfigProperty(name = "batpak.streams.max-wait-ms", defaultValue = "30000")
    long maxWaitMs;
    @Inject
    BatpakSettings settings;
    @Inject
    @ConfigProperty(name = "batpak.streams.tx-idle-timeout-ms", defaultValue = "60000")
    long txIdleTimeoutMs;
    @Inject
    @ConfigProperty(name = "batpak.streams.max-partitions", defaultValue = "1024")
    int maxPartitions;
    @Inject
    @ConfigProperty(name = "batpak.streams.default-ack-timeout-ms", defaultValue = "30000")
    long defaultAckTimeoutMs;
    @Inject
    @ConfigProperty(name = "batpak.streams.default-max-in-flight", defaultValue = "1000")
    int defaultMaxInFlight;
    @Inject
    @ConfigProperty(name = "batpak.streams.default-max-deliveries", defaultValue = "0")
    int defaultMaxDeliveries;
    @Inject
    @ConfigProperty(name = "batpak.streams.max-open-transactions-per-caller", defaultValue = "100")
    int maxOpenTransactionsPerCaller;
    @Inject
    @ConfigProperty(name = "batpak.streams.max-transaction-bytes", defaultValue = "16777216")
    long maxTransactionBytes;
    @Inject
    @ConfigProperty(name = "batpak.streams.max-transaction-bytes-per-caller", defaultValue = "67108864")
    long maxTransactionBytesPerCaller;
    @Inject
    @ConfigProperty(name = "batpak.streams.max-transaction-bytes-total", defaultValue = "268435456")
    long maxTransactionBytesTotal;

    /** The engine-side configuration these settings describe. */
    public StreamsConfig streamsConfig() {
        // batpak.limits.max-wait-ms caps every long poll of the server; the streams key may only lower it.
        long cap = Math.min(maxWaitMs, settings.maxWaitMs());
        return StreamsConfig.defaults().withMaxWaitMs(cap).withTxIdleTimeoutMs(txIdleTimeoutMs)
                .withMaxPartitions(maxPartitions).withMaxOpenTransactionsPerCaller(maxOpenTransactionsPerCaller)
                .withGroupDefaults(new GroupConfig(defaultAckTimeoutMs, defaultMaxInFlight, defaultMaxDeliveries,
                        StartPosition.EARLIEST))
                // A statement is one event: it may be as large as an event's payload (plus its names).
                .withTxLimits(new TxLimits(Math.min(maxTransactionBytes, settings.maxEventPayloadBytes
                        + 64L * 1024), maxTransactionBytes, maxTransactionBytesPerCaller, maxTransactionBytesTotal));
    }
}
