package io.batpak.ee;

import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.EventStore;
import io.batpak.engine.gate.Gate;
import io.batpak.engine.gate.GateDecision;
import io.batpak.engine.gate.GateSet;
import io.batpak.engine.util.Completions;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The application's gates: every CDI bean implementing {@link Gate}, in any module of the
 * application (the WAR and its jars, an EAR's EJB or web module; see {@link DeploymentBeans}),
 * evaluated on every append in ascending {@link Priority} (a gate without one runs after all that
 * have one, in bean-class name order, so the order is stable across deployments). A denial throws
 * {@link DeniedException} and nothing is stored. Built once at startup; thread-safe.
 */
@ApplicationScoped
public class GateChain {
    /** Priority of a gate bean that declares none. */
    public static final int DEFAULT_PRIORITY = Integer.MAX_VALUE;
    private static final Logger LOG = System.getLogger(GateChain.class.getName());

    @Inject
    DeploymentBeans discovered;
    @Inject
    BeanManager beanManager;

    private GateSet gates = GateSet.empty();

    /**
     * Takes the gate beans from {@link DeploymentBeans} (every module of the deployment, see there why)
     * and asks the container for a contextual reference of each: a bean of another module of an EAR
     * is still created, scoped and injected by the container as usual.
     */
    @PostConstruct
    void discover() {
        List<Bean<?>> found = discovered.beans(Gate.class);
        found.sort(Comparator.<Bean<?>>comparingInt(b -> priority(b.getBeanClass()))
                .thenComparing(b -> b.getBeanClass().getName()));
        List<Gate> ordered = new ArrayList<>();
        for (Bean<?> b : found) {
            ordered.add((Gate) beanManager.getReference(b, Gate.class, beanManager.createCreationalContext(b)));
        }
        gates = GateSet.of(ordered);
        LOG.log(Level.INFO, "gates in evaluation order: {0}", gates.names());
    }

    private static int priority(Class<?> beanClass) {
        Priority p = beanClass.getAnnotation(Priority.class);
        return p == null ? DEFAULT_PRIORITY : p.value();
    }

    public List<String> names() {
        return gates.names();
    }

    /** Evaluates the gates for {@code requests} (one atomic unit) and appends them if all pass. */
    public List<AppendReceipt> append(EventStore store, List<AppendRequest> requests, Caller caller) {
        return store.append(passOrThrow(requests, caller));
    }

    /** As {@link #append}, stored only if {@code condition} (null: none) holds when the writer reaches it. */
    public List<AppendReceipt> append(EventStore store, List<AppendRequest> requests, Caller caller,
                                      AppendCondition condition) {
        return Completions.await(store.appendAsync(passOrThrow(requests, caller), condition));
    }

    /**
     * As {@link #append}, completing when the events are durable; stored only if {@code condition}
     * (null: none) holds. A denial or a failed condition fails the future.
     */
    public CompletableFuture<List<AppendReceipt>> appendAsync(EventStore store, List<AppendRequest> requests,
                                                              Caller caller, AppendCondition condition) {
        try {
            return store.appendAsync(passOrThrow(requests, caller), condition);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private io.batpak.engine.gate.Receipt passOrThrow(List<AppendRequest> requests, Caller caller) {
        GateDecision d = gates.evaluate(requests, caller);
        if (d instanceof GateDecision.Denied denied) {
            throw new DeniedException(denied.denial());
        }
        return ((GateDecision.Passed) d).receipt();
    }
}
