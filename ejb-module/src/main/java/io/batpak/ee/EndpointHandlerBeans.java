package io.batpak.ee;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects every {@link EndpointHandler} method of the deployment's managed beans, in whichever
 * module they live (the same reason as {@link DeploymentBeans}: an EJB module cannot resolve a web
 * module's beans by injection, but every extension sees every bean). Complete once the container
 * has discovered the beans; {@link BatpakExchanges} registers them when the application starts.
 * Thread-safe.
 */
public class EndpointHandlerBeans implements Extension {
    /** One handler method and the bean that owns it. */
    public record Found(String endpoint, Bean<?> bean, Method method) {
    }

    private final List<Found> found = new CopyOnWriteArrayList<>();

    void found(@Observes ProcessManagedBean<?> event) {
        for (AnnotatedMethod<?> m : event.getAnnotatedBeanClass().getMethods()) {
            EndpointHandler h = m.getAnnotation(EndpointHandler.class);
            if (h != null) {
                found.add(new Found(h.value(), event.getBean(), m.getJavaMember()));
            }
        }
    }

    /** The handler methods found, in discovery order. */
    public List<Found> handlers() {
        return new ArrayList<>(found);
    }
}
