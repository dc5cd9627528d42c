package io.batpak.ee;

import io.batpak.engine.upcast.Upcaster;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessBean;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects every enabled bean of the deployment whose types include {@link Upcaster}, in whichever
 * module of the application it lives (an extension for the reason {@link GateBeans} gives: an EJB
 * module cannot resolve a web module's beans through {@code Instance}). The list is complete once
 * the container has discovered the beans; {@link BatpakStore} installs them on the engine when it
 * opens the store, before it serves any read. Thread-safe.
 */
public class UpcasterBeans implements Extension {
    private final List<Bean<?>> upcasters = new CopyOnWriteArrayList<>();

    void found(@Observes ProcessBean<?> event) {
        Bean<?> bean = event.getBean();
        for (Type t : bean.getTypes()) {
            Type raw = t instanceof ParameterizedType p ? p.getRawType() : t;
            if (raw == Upcaster.class) {
                upcasters.add(bean);
                return;
            }
        }
    }

    /** A contextual reference of every upcaster bean, in discovery order (no contract: the set is validated whole). */
    public List<Upcaster> references(BeanManager beanManager) {
        List<Upcaster> out = new ArrayList<>();
        for (Bean<?> b : upcasters) {
            out.add((Upcaster) beanManager.getReference(b, Upcaster.class, beanManager.createCreationalContext(b)));
        }
        return out;
    }
}
