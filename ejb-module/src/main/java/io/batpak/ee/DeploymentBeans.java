package io.batpak.ee;

import io.batpak.engine.gate.Gate;
import io.batpak.engine.upcast.Upcaster;
import io.batpak.streams.flow.Derivation;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessBean;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects every enabled bean of the deployment whose types include one of the application's
 * extension points ({@link Gate}, {@link Upcaster}, {@link Derivation}), in whichever module of the
 * application it lives: the WAR's classes and jars, the EJB module, or the web module of an EAR.
 * The lists are complete once the container has discovered the beans, before any bean is created.
 *
 * <p>Why an extension and not {@code @Inject @Any Instance<Gate>}: in an EAR, the store's beans live
 * in the EJB module, and CDI resolves an injection point only against the beans its own module can
 * see. A web module's beans are invisible to an EJB module (Jakarta EE class visibility), so an
 * {@code Instance} found no gate of the web module on Payara Server. The container fires
 * {@link ProcessBean} for every bean of the deployment to every portable extension, whatever module
 * the bean or the extension is in, so these lists see them all. Thread-safe.
 */
public class DeploymentBeans implements Extension {
    private final Map<Class<?>, List<Bean<?>>> found = Map.of(Gate.class, new CopyOnWriteArrayList<>(),
            Upcaster.class, new CopyOnWriteArrayList<>(), Derivation.class, new CopyOnWriteArrayList<>());

    void found(@Observes ProcessBean<?> event) {
        Bean<?> bean = event.getBean();
        for (Type t : bean.getTypes()) {
            List<Bean<?>> list = found.get(t instanceof ParameterizedType p ? p.getRawType() : t);
            if (list != null) {
                list.add(bean);
            }
        }
    }

    /** The beans of {@code type} (one of the extension points), in discovery order, which is no contract. */
    public List<Bean<?>> beans(Class<?> type) {
        List<Bean<?>> list = found.get(type);
        if (list == null) {
            throw new IllegalArgumentException(type.getName() + " is not an extension point collected here");
        }
        return new ArrayList<>(list);
    }

    /** A contextual reference of every bean of {@code type}, in discovery order. */
    public <T> List<T> references(Class<T> type, BeanManager beanManager) {
        List<T> out = new ArrayList<>();
        for (Bean<?> b : beans(type)) {
            out.add(type.cast(beanManager.getReference(b, type, beanManager.createCreationalContext(b))));
        }
        return out;
    }
}
