package io.batpak.ee;

import io.batpak.streams.flow.Derivation;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessBean;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects every enabled bean of the deployment whose types include {@link Derivation}, in
 * whichever module of the application it lives (an extension for the reason {@link GateBeans}
 * gives: an {@code Instance<Derivation>} in the EJB module would not see a web module's beans).
 * Complete once the container has discovered the beans; {@link BatpakDerivations} starts them.
 * Thread-safe.
 */
public class DerivationBeans implements Extension {
    private final List<Bean<?>> found = new CopyOnWriteArrayList<>();

    void found(@Observes ProcessBean<?> event) {
        Bean<?> bean = event.getBean();
        for (Type t : bean.getTypes()) {
            Type raw = t instanceof ParameterizedType p ? p.getRawType() : t;
            if (raw == Derivation.class) {
                found.add(bean);
                return;
            }
        }
    }

    /** The derivation beans of the deployment, in discovery order. */
    public List<Bean<?>> beans() {
        return new ArrayList<>(found);
    }
}
