package io.batpak.ee;

import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.streams.pipeline.StageDelivery;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/**
 * One incoming stage channel of the {@code batpak} connector: polls a pipeline stage only as much
 * as downstream requested and emits each delivery as a message with {@link BatpakStageMetadata}.
 * Acking the message acks the delivery with the output set on its metadata (none: a nack, reason
 * "acked without an output"); nacking it nacks the delivery with the failure's message. Waits while
 * the pipeline does not exist. Runs on one long-running managed task; its fields are immutable.
 */
final class StageChannel {
    private static final Logger LOG = System.getLogger(StageChannel.class.getName());

    private final BatpakPipelines pipelines;
    private final String pipeline;
    private final String stage;
    private final String consumer;
    private final int max;
    private final long waitMs;
    private final BooleanSupplier stopped;

    StageChannel(BatpakPipelines pipelines, String pipeline, String stage, String consumer, int max, long waitMs,
                 BooleanSupplier stopped) {
        this.pipelines = pipelines;
        this.pipeline = pipeline;
        this.stage = stage;
        this.consumer = consumer;
        this.max = max;
        this.waitMs = waitMs;
        this.stopped = stopped;
    }

    void pump(MultiEmitter<? super Message<?>> emitter) {
        try {
            while (!stopped.getAsBoolean() && !emitter.isCancelled()) {
                long demand = emitter.requested();
                if (demand <= 0) {
                    LockSupport.parkNanos(1_000_000);
                    continue;
                }
                List<StageDelivery> ds;
                try {
                    ds = pipelines.get().poll(pipeline, stage, consumer, (int) Math.min(demand, max), waitMs, Caller.ANONYMOUS);
                } catch (StoreException e) {
                    if (e.code() != ErrorCode.NOT_FOUND && e.code() != ErrorCode.UNAVAILABLE || stopped.getAsBoolean()) {
                        throw e;
                    }
                    LockSupport.parkNanos(Math.max(waitMs, 100) * 1_000_000); // the pipeline is not defined yet
                    continue;
                }
                for (StageDelivery d : ds) {
                    emitter.emit(message(d));
                }
            }
            emitter.complete();
        } catch (RuntimeException e) {
            if (stopped.getAsBoolean()) {
                emitter.complete();
            } else {
                LOG.log(Level.ERROR, "stage channel of pipeline " + pipeline + " stage " + stage + " stopped", e);
                emitter.fail(e);
            }
        }
    }

    private Message<String> message(StageDelivery d) {
        Map<String, String> inputs = new LinkedHashMap<>();
        d.inputs().forEach((k, v) -> inputs.put(k, new String(v, StandardCharsets.UTF_8)));
        BatpakStageMetadata meta = new BatpakStageMetadata(pipeline, stage, d.deliveryId(), d.instanceId(), d.trigger(),
                inputs);
        return Message.of(new String(d.trigger().payload(), StandardCharsets.UTF_8), Metadata.of(meta), () -> {
            StageOutput out = meta.takenOutput();
            try {
                if (out == null || out.output() == null) {
                    pipelines.get().nack(pipeline, stage, d.deliveryId(), "acked without an output", Caller.ANONYMOUS);
                } else {
                    pipelines.get().ack(pipeline, stage, d.deliveryId(), out.output().getBytes(StandardCharsets.UTF_8),
                            out.events(), Caller.ANONYMOUS);
                }
                return CompletableFuture.completedFuture(null);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }, failure -> {
            pipelines.get().nack(pipeline, stage, d.deliveryId(), failure == null ? null : String.valueOf(failure.getMessage()),
                    Caller.ANONYMOUS);
            return CompletableFuture.completedFuture(null);
        });
    }
}
