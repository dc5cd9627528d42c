package io.batpak.ee.kafka;

import io.batpak.ee.BatpakStore;
import io.batpak.ee.StoredCloudEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;

/**
 * The Kafka relay of this deployment, configured by MicroProfile Config ({@code batpak.kafka.*},
 * documented in {@code config/README.md}); off unless {@code batpak.kafka.relay.enabled=true}.
 * Started with the store, stopped before it closes. Thread-safe.
 */
@ApplicationScoped
public class KafkaRelayService {
    private static final Logger LOG = System.getLogger(KafkaRelayService.class.getName());
    static final String PREFIX = "batpak.kafka.";
    static final String PRODUCER_PREFIX = PREFIX + "producer.";

    @Inject
    BatpakStore store;
    @Inject
    Config mpConfig;

    /** Set once by start(); read by any thread. */
    private volatile KafkaRelay relay;

    /** Starts the relay on a long-running managed task if it is enabled; called once the store is open. */
    public synchronized void start() {
        if (relay != null || !mpConfig.getOptionalValue(PREFIX + "relay.enabled", Boolean.class).orElse(false)) {
            return;
        }
        RelayConfig config = config();
        KafkaRelay r = new KafkaRelay(store.engine(), config,
                kind -> mpConfig.getOptionalValue(StoredCloudEvent.TYPE_KEY_PREFIX + kind, String.class));
        relay = r;
        store.runTask(r);
        LOG.log(Level.INFO, "Kafka relay " + config.relayId() + " started: " + config.bootstrapServers() + " topic "
                + config.topic() + (config.scopes().isEmpty() ? ", every scope" : ", scopes " + config.scopes()));
    }

    /** The relay's status, or empty when no relay runs here. */
    public Optional<RelayStatus> status() {
        KafkaRelay r = relay;
        return r == null ? Optional.empty() : Optional.of(r.status());
    }

    @PreDestroy
    void stop() {
        KafkaRelay r = relay;
        if (r != null) {
            r.close();
        }
    }

    private RelayConfig config() {
        String servers = mpConfig.getOptionalValue(PREFIX + "bootstrap-servers", String.class)
                .orElseThrow(() -> new IllegalStateException(PREFIX + "relay.enabled is true but " + PREFIX
                        + "bootstrap-servers is not set"));
        Set<String> scopes = mpConfig.getOptionalValue(PREFIX + "relay.scopes", String.class)
                .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toSet()))
                .orElse(Set.of());
        Map<String, String> producer = new HashMap<>();
        for (String name : mpConfig.getPropertyNames()) {
            if (name.startsWith(PRODUCER_PREFIX)) {
                mpConfig.getOptionalValue(name, String.class).ifPresent(v -> producer.put(name.substring(PRODUCER_PREFIX.length()), v));
            }
        }
        return new RelayConfig(servers,
                mpConfig.getOptionalValue(PREFIX + "relay.topic", String.class).orElse("batpak-events"),
                mpConfig.getOptionalValue(PREFIX + "relay.offsets-topic", String.class).orElse("batpak-relay-offsets"),
                mpConfig.getOptionalValue(PREFIX + "relay.id", String.class).orElse("batpak-relay"),
                scopes,
                mpConfig.getOptionalValue(PREFIX + "relay.batch-max", Integer.class).orElse(500),
                producer);
    }
}
