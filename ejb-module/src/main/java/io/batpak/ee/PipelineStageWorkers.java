package io.batpak.ee;

import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.streams.TxStatement;
import io.batpak.streams.pipeline.StageDelivery;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeanManager;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import jakarta.inject.Inject;

/**
 * Runs the {@link PipelineStage} methods: from when the application has started (after the store
 * opened), each method gets {@link PipelineStage#workers()} long-running tasks on the
 * ManagedExecutorService that poll its stage, call the method per delivery and ack with what it
 * returns (nack on null or an exception). Writes pass the gates as the anonymous caller, like the
 * messaging connector's. Stopped with the application. Thread-safe.
 */
@ApplicationScoped
public class PipelineStageWorkers {
    private static final Logger LOG = System.getLogger(PipelineStageWorkers.class.getName());
    private static final long WAIT_MS = 1000;

    @Inject
    BatpakStore store;
    @Inject
    BatpakPipelines pipelines;
    @Inject
    BeanManager beanManager;
    @Inject
    PipelineStageBeans beans;

    /** Set once by {@link #stop}; read by the worker loops. */
    private volatile boolean stopped;

    void onStart(@Observes @Priority(5000) @Initialized(ApplicationScoped.class) Object ignored) {
        for (PipelineStageBeans.Found f : beans.methods()) {
            Object target = beanManager.getReference(f.bean(), f.method().getDeclaringClass(),
                    beanManager.createCreationalContext(f.bean()));
            String consumer = f.stage().consumer().isEmpty()
                    ? "cdi-" + f.method().getDeclaringClass().getSimpleName() + "." + f.method().getName()
                    : f.stage().consumer();
            for (int i = 0; i < f.stage().workers(); i++) {
                store.runTask(() -> work(f, target, consumer));
            }
            LOG.log(Level.INFO, "pipeline {0} stage {1}: {2} worker(s) of {3}", f.stage().pipeline(), f.stage().stage(),
                    f.stage().workers(), f.method());
        }
    }

    @PreDestroy
    void stop() {
        stopped = true;
    }

    private void work(PipelineStageBeans.Found f, Object target, String consumer) {
        String pipeline = f.stage().pipeline();
        String stage = f.stage().stage();
        while (!stopped) {
            List<StageDelivery> ds;
            try {
                ds = pipelines.get().poll(pipeline, stage, consumer, 10, WAIT_MS, Caller.ANONYMOUS);
            } catch (StoreException e) {
                if (stopped) {
                    return;
                }
                if (e.code() != ErrorCode.NOT_FOUND && e.code() != ErrorCode.UNAVAILABLE) {
                    LOG.log(Level.WARNING, "pipeline " + pipeline + " stage " + stage + ": poll failed", e);
                }
                LockSupport.parkNanos(WAIT_MS * 1_000_000); // the pipeline is not defined yet, or the store is not open
                continue;
            }
            for (StageDelivery d : ds) {
                if (stopped) {
                    return;
                }
                serve(f, target, d);
            }
        }
    }

    private void serve(PipelineStageBeans.Found f, Object target, StageDelivery d) {
        Map<String, String> inputs = new LinkedHashMap<>();
        d.inputs().forEach((k, v) -> inputs.put(k, new String(v, StandardCharsets.UTF_8)));
        String output;
        List<TxStatement.Publish> events = List.of();
        try {
            Object r = f.method().invoke(target, d.trigger(), inputs);
            if (r instanceof StageOutput o) {
                output = o.output();
                events = o.events();
            } else {
                output = (String) r;
            }
        } catch (InvocationTargetException e) {
            nack(d, String.valueOf(e.getCause()));
            return;
        } catch (IllegalAccessException | RuntimeException e) {
            nack(d, String.valueOf(e));
            return;
        }
        if (output == null) {
            nack(d, "the stage method returned no output");
            return;
        }
        try {
            pipelines.get().ack(d.pipeline(), d.stage(), d.deliveryId(), output.getBytes(StandardCharsets.UTF_8), events,
                    Caller.ANONYMOUS);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pipeline " + d.pipeline() + " stage " + d.stage() + ": ack of instance "
                    + d.instanceId() + " failed; it will be delivered again", e);
        }
    }

    private void nack(StageDelivery d, String reason) {
        try {
            pipelines.get().nack(d.pipeline(), d.stage(), d.deliveryId(), reason, Caller.ANONYMOUS);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "pipeline " + d.pipeline() + " stage " + d.stage() + ": nack failed", e);
        }
    }
}
