package io.batpak.ee;

import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.streams.flow.Derivation;
import io.batpak.streams.flow.DerivationRunner;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The application's derivations (Flow): every CDI bean implementing {@link Derivation} (found by
 * {@link DeploymentBeans}) is started when the application has started, after the store opened,
 * and Java code may {@link #register} more. Each gets a {@link DerivationRunner} on
 * {@link BatpakStreams} (so its commits pass the application's gates, as the anonymous caller like
 * the pipeline stage workers) with {@link DerivationSettings}, and one long-running loop task per
 * shard on the ManagedExecutorService. A derivation that cannot start (a bad name, a changed shard
 * count) fails the deployment with the reason. The runners are closed when the application stops.
 * Thread-safe: the registry is guarded by this.
 */
@ApplicationScoped
public class BatpakDerivations {
    private static final Logger LOG = System.getLogger(BatpakDerivations.class.getName());

    @Inject
    BatpakStore store;
    @Inject
    BatpakStreams streams;
    @Inject
    DerivationSettings settings;
    @Inject
    DeploymentBeans beans;
    @Inject
    BeanManager beanManager;
    /** Unresolvable where the server has no MicroProfile Metrics (see {@link StoreStartup#metrics}). */
    @Inject
    Instance<DerivationMetrics> metrics;

    /** Running derivations by name, in start order. Guarded by this. */
    private final Map<String, DerivationRunner> runners = new LinkedHashMap<>();
    /** The beans started, so an EAR's second start event (one per module) starts none twice. Guarded by this. */
    private final java.util.Set<Bean<?>> started = new java.util.HashSet<>();
    /** Set by {@link #close}. Guarded by this. */
    private boolean closed;

    synchronized void onStart(@Observes @Priority(5000) @Initialized(ApplicationScoped.class) Object ignored) {
        for (Bean<?> bean : beans.beans(Derivation.class)) {
            if (started.add(bean)) {
                register((Derivation) beanManager.getReference(bean, Derivation.class,
                        beanManager.createCreationalContext(bean)));
            }
        }
    }

    /**
     * Starts {@code derivation}: writes its shards' first records if it never ran, then runs one
     * loop per shard. INVALID_REQUEST if the name is taken here, the name or shard count is invalid
     * or differs from what the derivation ran with; UNAVAILABLE while the store is not open.
     */
    public synchronized DerivationRunner register(Derivation derivation) {
        if (closed) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "the application is stopping; derivation "
                    + derivation.name() + " was not started");
        }
        if (runners.containsKey(derivation.name())) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a derivation named " + derivation.name()
                    + " is running already");
        }
        DerivationRunner runner = new DerivationRunner(store.engine(), streams.get(), derivation,
                settings.derivationConfig(), Caller.ANONYMOUS);
        runners.put(runner.name(), runner);
        for (int i = 0; i < runner.shards(); i++) {
            store.runTask(runner.loop(i));
        }
        if (metrics.isResolvable()) {
            metrics.get().register(runner);
        }
        LOG.log(Level.INFO, "derivation {0}: {1} shard(s) over {2}", runner.name(), runner.shards(), runner.sources());
        return runner;
    }

    /** The running derivation {@code name}, if any. */
    public synchronized Optional<DerivationRunner> get(String name) {
        return Optional.ofNullable(runners.get(name));
    }

    /** Every derivation, in start order. */
    public synchronized List<DerivationRunner> all() {
        return new ArrayList<>(runners.values());
    }

    /** The status of every derivation now, in start order. */
    public List<DerivationStatus> statuses() {
        List<DerivationStatus> out = new ArrayList<>();
        for (DerivationRunner r : all()) {
            out.add(DerivationStatus.of(r, streams.get()));
        }
        return out;
    }

    @PreDestroy
    synchronized void close() {
        closed = true;
        runners.values().forEach(DerivationRunner::close);
    }
}
