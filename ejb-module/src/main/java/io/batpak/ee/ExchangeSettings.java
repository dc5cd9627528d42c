package io.batpak.ee;

import io.batpak.streams.exchange.ExchangeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The exchanges' and endpoints' knobs from MicroProfile Config ({@code batpak.exchanges.*},
 * {@code batpak.endpoints.*}, documented in {@code config/README.md}). Immutable after injection;
 * thread-safe.
 */
@ApplicationScoped
public class ExchangeSettings {
    @Inject
    BatpakSettings settings;
    @Inject
    @ConfigProperty(name = "batpak.exchanges.subscriber-queue", defaultValue = "1024")
    int subscriberQueue;
    @Inject
    @ConfigProperty(name = "batpak.endpoints.max-pending-calls", defaultValue = "1000")
    int maxPendingCalls;
    @Inject
    @ConfigProperty(name = "batpak.endpoints.default-timeout-ms", defaultValue = "5000")
    long defaultTimeoutMs;
    @Inject
    @ConfigProperty(name = "batpak.endpoints.max-timeout-ms", defaultValue = "30000")
    long maxTimeoutMs;
    @Inject
    @ConfigProperty(name = "batpak.endpoints.handler-presence-ms", defaultValue = "10000")
    long handlerPresenceMs;

    /** The plain-Java configuration these settings describe; handler polls are capped by {@code batpak.limits.max-wait-ms}. */
    public ExchangeConfig config() {
        return ExchangeConfig.defaults().withSubscriberQueue(subscriberQueue).withMaxPendingCalls(maxPendingCalls)
                .withTimeouts(defaultTimeoutMs, maxTimeoutMs).withMaxPollWaitMs(settings.maxWaitMs())
                .withHandlerPresenceMs(handlerPresenceMs);
    }
}
