package io.batpak.ee.kafka;

import io.batpak.ee.BatpakStore;
import io.batpak.ee.StoredCloudEvent;
import io.batpak.engine.Caller;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.Config;

/**
 * This deployment's Kafka relay and ingest, configured by MicroProfile Config ({@code batpak.kafka.*},
 * documented in {@code config/README.md}); each off unless enabled. Started once the store is open,
 * stopped before it closes. Thread-safe.
 */
@ApplicationScoped
public class KafkaService {
    private static final Logger LOG = System.getLogger(KafkaService.class.getName());
    static final String PREFIX = "batpak.kafka.";

    @Inject
    BatpakStore store;
    @Inject
    Config mpConfig;

    /** Set once by start(); read by any thread. */
    private volatile KafkaRelay relay;
    private volatile KafkaIngest ingest;

    /** Starts the relay and the ingest that are enabled, each on a long-running managed task. */
    public synchronized void start() {
        if (relay == null && flag("relay.enabled")) {
            RelayConfig config = relayConfig();
            KafkaRelay r = new KafkaRelay(store.engine(), config,
                    kind -> mpConfig.getOptionalValue(StoredCloudEvent.TYPE_KEY_PREFIX + kind, String.class));
            relay = r;
            store.runTask(r);
            LOG.log(Level.INFO, "Kafka relay " + config.relayId() + " started: " + config.bootstrapServers() + " topic "
                    + config.topic() + (config.scopes().isEmpty() ? ", every scope" : ", scopes " + config.scopes()));
        }
        if (ingest == null && flag("ingest.enabled")) {
            IngestConfig config = ingestConfig();
            KafkaIngest i = new KafkaIngest(store.engine(), config,
                    type -> mpConfig.getOptionalValue("batpak.cloudevents.kind." + type, Integer.class),
                    store::appendBookkeeping, new Caller("kafka-ingest:" + config.ingestId(), Set.of(), Set.of("*")));
            ingest = i;
            store.runTask(i);
            LOG.log(Level.INFO, "Kafka ingest " + config.ingestId() + " started: " + config.bootstrapServers() + " topics "
                    + config.topics());
        }
    }

    /** The relay's status, or empty when no relay runs here. */
    public Optional<RelayStatus> relayStatus() {
        KafkaRelay r = relay;
        return r == null ? Optional.empty() : Optional.of(r.status());
    }

    /** The ingest, or empty when none runs here. */
    public Optional<KafkaIngest> ingest() {
        return Optional.ofNullable(ingest);
    }

    @PreDestroy
    void stop() {
        KafkaIngest i = ingest;
        if (i != null) {
            i.close();
        }
        KafkaRelay r = relay;
        if (r != null) {
            r.close();
        }
    }

    private boolean flag(String key) {
        return mpConfig.getOptionalValue(PREFIX + key, Boolean.class).orElse(false);
    }

    private String bootstrapServers(String enabledBy) {
        return mpConfig.getOptionalValue(PREFIX + "bootstrap-servers", String.class)
                .orElseThrow(() -> new IllegalStateException(PREFIX + enabledBy + " is true but " + PREFIX
                        + "bootstrap-servers is not set"));
    }

    private List<String> list(String key) {
        return mpConfig.getOptionalValue(PREFIX + key, String.class)
                .map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toList()))
                .orElse(List.of());
    }

    /** Every {@code batpak.kafka.<client>.<name>} key as a kafka-clients property {@code <name>}. */
    private Map<String, String> clientProperties(String client) {
        String prefix = PREFIX + client + ".";
        Map<String, String> props = new HashMap<>();
        for (String name : mpConfig.getPropertyNames()) {
            if (name.startsWith(prefix)) {
                mpConfig.getOptionalValue(name, String.class).ifPresent(v -> props.put(name.substring(prefix.length()), v));
            }
        }
        return props;
    }

    private String string(String key, String defaultValue) {
        return mpConfig.getOptionalValue(PREFIX + key, String.class).orElse(defaultValue);
    }

    private RelayConfig relayConfig() {
        return new RelayConfig(bootstrapServers("relay.enabled"), string("relay.topic", "batpak-events"),
                string("relay.offsets-topic", "batpak-relay-offsets"), string("relay.id", "batpak-relay"),
                Set.copyOf(list("relay.scopes")), mpConfig.getOptionalValue(PREFIX + "relay.batch-max", Integer.class).orElse(500),
                clientProperties("producer"));
    }

    private IngestConfig ingestConfig() {
        return new IngestConfig(bootstrapServers("ingest.enabled"), list("ingest.topics"), string("ingest.id", "batpak-ingest"),
                mpConfig.getOptionalValue(PREFIX + "ingest.kind", Integer.class).orElse(null),
                mpConfig.getOptionalValue(PREFIX + "ingest.scope", String.class).orElse(null),
                mpConfig.getOptionalValue(PREFIX + "ingest.poll-max", Integer.class).orElse(500),
                clientProperties("consumer"));
    }
}
