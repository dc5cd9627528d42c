package io.batpak.web;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The configured mapping between CloudEvents types and kinds: {@code batpak.cloudevents.kind.<type>=<kind>}
 * gives the kind of an incoming event without a {@code kind} extension, and
 * {@code batpak.cloudevents.type.<kind>=<type>} the type of a stored event read as a CloudEvent
 * (default {@code batpak.kind.<kind>}). Thread-safe.
 */
@ApplicationScoped
public class CloudEventsConfig {
    private Config config() {
        return ConfigProvider.getConfig(CloudEventsConfig.class.getClassLoader());
    }

    public Optional<Integer> kindForType(String type) {
        try {
            return config().getOptionalValue("batpak.cloudevents.kind." + type, Integer.class);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(Problem.of(500, "invalid-configuration", "Invalid configuration",
                    "batpak.cloudevents.kind." + type + " is not an integer"));
        }
    }

    public Optional<String> typeForKind(int kind) {
        return config().getOptionalValue(io.batpak.ee.StoredCloudEvent.TYPE_KEY_PREFIX + kind, String.class);
    }
}
