package io.batpak.ee;

import io.batpak.engine.gate.Gate;
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
 * Collects every enabled bean of the deployment whose types include {@link Gate}, in whichever
 * module of the application it lives: the WAR's classes and jars, the EJB module, or the web
 * module of an EAR. The list is complete once the container has discovered the beans, before any
 * bean is created; {@link GateChain} builds its chain from it.
 *
 * <p>Why an extension and not {@code @Inject @Any Instance<Gate>}: in an EAR, {@link GateChain} lives
 * in the EJB module, and CDI resolves an injection point only against the beans its own module can
 * see. A web module's beans are invisible to an EJB module (Jakarta EE class visibility), so the
 * {@code Instance} found no gate of the web module on Payara Server. The container fires
 * {@link ProcessBean} for every bean of the deployment to every portable extension, whatever module
 * the bean or the extension is in, so this list sees them all. Thread-safe.
 */
public class GateBeans implements Extension {
    private final List<Bean<?>> gates = new CopyOnWriteArrayList<>();

    void found(@Observes ProcessBean<?> event) {
        Bean<?> bean = event.getBean();
        for (Type t : bean.getTypes()) {
            Type raw = t instanceof ParameterizedType p ? p.getRawType() : t;
            if (raw == Gate.class) {
                gates.add(bean);
                return;
            }
        }
    }

    /** The gate beans of the deployment, in discovery order (which is no contract: GateChain sorts). */
    public List<Bean<?>> beans() {
        return new ArrayList<>(gates);
    }
}
