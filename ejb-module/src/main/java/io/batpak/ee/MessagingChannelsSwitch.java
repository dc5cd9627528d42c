package io.batpak.ee;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Decides, while the container discovers the deployment, whether the store's own Reactive Messaging
 * channels ({@link MessagingChannels}: {@code batpak-events} and {@code batpak-append}) exist.
 * {@value #KEY} decides when set; unset, they exist unless SmallRye's strict binding is on.
 *
 * <p>Why: under strict binding ({@value #STRICT}, which WildFly turns on through a config source
 * an application cannot override) a channel with no consumer or no producer fails the whole
 * deployment, so a WAR that brings both channels cannot deploy alone there. Payara leaves an
 * unbound channel harmless, so it keeps them by default. An application that consumes
 * {@code batpak-events} or feeds {@code batpak-append} on WildFly sets {@value #KEY}{@code =true}
 * and provides both ends. The decision is final for the deployment. Stateless.
 */
public class MessagingChannelsSwitch implements Extension {
    static final String KEY = "batpak.messaging.channels";
    static final String STRICT = "smallrye-messaging-strict-binding";
    private static final Logger LOG = System.getLogger(MessagingChannelsSwitch.class.getName());

    void decide(@Observes ProcessAnnotatedType<MessagingChannels> type) {
        Config config = ConfigProvider.getConfig();
        if (!enabled(config.getOptionalValue(KEY, Boolean.class), config.getOptionalValue(STRICT, Boolean.class))) {
            LOG.log(Level.INFO, "the batpak-events and batpak-append channels are off: " + STRICT
                    + " is on and " + KEY + " is not set; set " + KEY + "=true to have them (then consume"
                    + " batpak-events and feed batpak-append, as strict binding requires)");
            type.veto();
        }
    }

    /** The channels exist as {@code key} says, or, unset, unless {@code strictBinding} is on. */
    static boolean enabled(Optional<Boolean> key, Optional<Boolean> strictBinding) {
        return key.orElseGet(() -> !strictBinding.orElse(false));
    }
}
