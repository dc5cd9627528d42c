package io.batpak.ee;

import io.batpak.engine.StoredEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AnnotatedMethod;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessManagedBean;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the {@link PipelineStage} methods of every managed bean of the deployment (whichever
 * module it is in; see {@link DeploymentBeans} for why an extension). A method with another signature
 * than {@code (StoredEvent, Map) → String|StageOutput} is a deployment error naming it. Complete
 * once beans are discovered; thread-safe.
 */
public class PipelineStageBeans implements Extension {
    /** One annotated method of one bean. */
    public record Found(Bean<?> bean, Method method, PipelineStage stage) {
    }

    private final List<Found> found = new CopyOnWriteArrayList<>();

    <T> void found(@Observes ProcessManagedBean<T> event) {
        for (AnnotatedMethod<? super T> m : event.getAnnotatedBeanClass().getMethods()) {
            PipelineStage s = m.getAnnotation(PipelineStage.class);
            if (s == null) {
                continue;
            }
            Method j = m.getJavaMember();
            Class<?>[] p = j.getParameterTypes();
            Class<?> r = j.getReturnType();
            if (p.length != 2 || p[0] != StoredEvent.class || p[1] != Map.class
                    || !(r == String.class || r == StageOutput.class) || s.workers() < 1) {
                event.addDefinitionError(new IllegalArgumentException("@PipelineStage method " + j
                        + " must take (StoredEvent trigger, Map<String, String> inputs), return String or"
                        + " StageOutput, and have workers >= 1"));
                continue;
            }
            j.setAccessible(true);
            found.add(new Found(event.getBean(), j, s));
        }
    }

    /** The stage methods found, in discovery order. */
    public List<Found> methods() {
        return new ArrayList<>(found);
    }
}
