package io.batpak.ee;

import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.Completions;
import io.batpak.streams.Delivery;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.smallrye.reactive.messaging.connector.InboundConnector;
import io.smallrye.reactive.messaging.connector.OutboundConnector;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.spi.Connector;

/**
 * The Reactive Messaging connector {@code batpak}: streams as channels.
 *
 * <ul>
 *   <li>Incoming ({@code mp.messaging.incoming.<ch>.connector=batpak}): attributes {@code stream}
 *   and {@code group} (required), {@code consumer} (default: the channel name), {@code max}
 *   (deliveries per poll, default 100), {@code wait-ms} (long-poll, default 1000) and {@code start}
 *   ({@code earliest}|{@code latest}, for a group the channel creates). Each delivery is a message
 *   whose payload is the event's payload as UTF-8 text, with {@link BatpakStreamMetadata}; acking
 *   the message acks the delivery, nacking it makes the event deliverable again to any member. The
 *   channel polls only as much as downstream requested, and waits while the stream does not exist.</li>
 *   <li>Outgoing ({@code mp.messaging.outgoing.<ch>.connector=batpak}): attribute {@code stream}
 *   (required) and {@code kind} (default 61440 = 0xF000). Each message is published (a
 *   {@code String} payload as UTF-8, {@code byte[]} as is, anything else by {@code toString()}),
 *   keyed by its {@link BatpakStreamMetadata#key()}; it is acked once durable, nacked if refused.</li>
 *   <li>Stage channels (incoming, attributes {@code pipeline} and {@code stage} instead of
 *   {@code stream}/{@code group}; {@code consumer}, {@code max} (default 10) and {@code wait-ms} as
 *   above): each message is one stage delivery, its payload the trigger's payload as UTF-8 text,
 *   with {@link BatpakStageMetadata} (delivery, trigger, inputs). Set the output with
 *   {@link BatpakStageMetadata#output} and ack the message: the ack commits the output (and its
 *   stream events); an ack without an output, or a nack, makes the stage deliverable again.
 *   See {@link StageChannel}.</li>
 * </ul>
 * Writes pass the application's gates as an anonymous caller. Channels created while the
 * application deploys start polling when it has started. Thread-safe.
 */
@ApplicationScoped
@Connector(BatpakConnector.NAME)
public class BatpakConnector implements InboundConnector, OutboundConnector {
    public static final String NAME = "batpak";
    private static final Logger LOG = System.getLogger(BatpakConnector.class.getName());

    @Inject
    BatpakStore store;
    @Inject
    BatpakStreams streams;
    @Inject
    BatpakPipelines pipelines;

    private final List<Runnable> waiting = new ArrayList<>();
    private boolean started;
    private volatile boolean stopped;

    /** Starts the channels that connected while deploying; after the store opened (StoreStartup runs first). */
    void onStart(@Observes @Priority(5000) @Initialized(ApplicationScoped.class) Object ignored) {
        List<Runnable> ready;
        synchronized (waiting) {
            started = true;
            ready = new ArrayList<>(waiting);
            waiting.clear();
        }
        ready.forEach(Runnable::run);
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        stopped = true;
    }

    private void whenStarted(Runnable r) {
        synchronized (waiting) {
            if (!started) {
                waiting.add(r);
                return;
            }
        }
        r.run();
    }

    @Override
    public Flow.Publisher<? extends Message<?>> getPublisher(Config config) {
        String channel = config.getOptionalValue("channel-name", String.class).orElse("batpak");
        if (config.getOptionalValue("pipeline", String.class).isPresent()) {
            StageChannel in = new StageChannel(pipelines, config.getValue("pipeline", String.class),
                    config.getValue("stage", String.class), config.getOptionalValue("consumer", String.class).orElse(channel),
                    config.getOptionalValue("max", Integer.class).orElse(10),
                    config.getOptionalValue("wait-ms", Long.class).orElse(1000L), () -> stopped);
            return Multi.createFrom().<Message<?>>emitter(emitter -> whenStarted(() -> store.runTask(() -> in.pump(emitter))));
        }
        Inbound in = new Inbound(config.getValue("stream", String.class), config.getValue("group", String.class),
                config.getOptionalValue("consumer", String.class).orElse(channel),
                config.getOptionalValue("max", Integer.class).orElse(100),
                config.getOptionalValue("wait-ms", Long.class).orElse(1000L),
                config.getOptionalValue("start", String.class).map(StartPosition::parse).orElse(null));
        return Multi.createFrom().<Message<?>>emitter(emitter -> whenStarted(() -> store.runTask(() -> pump(in,
                emitter))));
    }

    private record Inbound(String stream, String group, String consumer, int max, long waitMs, StartPosition start) {
    }

    private void pump(Inbound in, MultiEmitter<? super Message<?>> emitter) {
        try {
            while (!stopped && !emitter.isCancelled()) {
                long demand = emitter.requested();
                if (demand <= 0) {
                    LockSupport.parkNanos(1_000_000); // downstream is busy; the group keeps the rest
                    continue;
                }
                List<Delivery> ds;
                try {
                    ds = streams.get().poll(in.stream(), in.group(), in.consumer(), (int) Math.min(demand, in.max()),
                            in.waitMs(), in.start(), Caller.ANONYMOUS);
                } catch (StoreException e) {
                    if (e.code() != ErrorCode.NOT_FOUND && e.code() != ErrorCode.UNAVAILABLE || stopped) {
                        throw e;
                    }
                    LockSupport.parkNanos(Math.max(in.waitMs(), 100) * 1_000_000); // the stream is not there yet
                    continue;
                }
                for (Delivery d : ds) {
                    emitter.emit(message(in, d));
                }
            }
            emitter.complete();
        } catch (RuntimeException e) {
            if (stopped) {
                emitter.complete();
            } else {
                LOG.log(Level.ERROR, "incoming batpak channel of stream " + in.stream() + " stopped", e);
                emitter.fail(e);
            }
        }
    }

    private Message<String> message(Inbound in, Delivery d) {
        BatpakStreamMetadata meta = new BatpakStreamMetadata(in.stream(), d.partition(), d.offset(), d.deliveryId(),
                d.event().attributes().get("stream.key"), d.event().kind().value(), d.event().eventId().toString(),
                d.event().globalSequence());
        List<String> id = List.of(d.deliveryId());
        return Message.of(new String(d.event().payload(), StandardCharsets.UTF_8), Metadata.of(meta),
                () -> streams.get().ackAsync(in.stream(), in.group(), id, Caller.ANONYMOUS).thenApply(r -> null),
                failure -> {
                    streams.get().nack(in.stream(), in.group(), id, failure == null ? null : String.valueOf(failure.getMessage()),
                            Caller.ANONYMOUS);
                    return CompletableFuture.completedFuture(null);
                });
    }

    @Override
    public Flow.Subscriber<? extends Message<?>> getSubscriber(Config config) {
        String stream = config.getValue("stream", String.class);
        int kind = config.getOptionalValue("kind", Integer.class).orElse(0xF000);
        return new Outbound(stream, new EventKind(kind));
    }

    /** Publishes one message at a time, so per-key order is the channel's order. */
    private final class Outbound implements Flow.Subscriber<Message<?>> {
        private final String stream;
        private final EventKind kind;
        private volatile Flow.Subscription subscription;

        Outbound(String stream, EventKind kind) {
            this.stream = stream;
            this.kind = kind;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(Message<?> m) {
            CompletableFuture<?> done;
            try {
                BatpakStreamMetadata meta = m.getMetadata(BatpakStreamMetadata.class).orElse(null);
                EventKind k = meta != null && meta.kind() != 0 ? new EventKind(meta.kind()) : kind;
                StreamEvent e = new StreamEvent(meta == null ? null : meta.key(), k, bytes(m.getPayload()));
                Streams s = streams.get();
                done = s.publishAsync(stream, List.of(e), Caller.ANONYMOUS);
            } catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            done.whenComplete((r, failure) -> {
                if (failure == null) {
                    m.ack();
                } else {
                    m.nack(Completions.unwrap(failure));
                }
                subscription.request(1);
            });
        }

        @Override
        public void onError(Throwable t) {
            LOG.log(Level.WARNING, "outgoing batpak channel to stream " + stream + " failed upstream", t);
        }

        @Override
        public void onComplete() {
            // nothing buffered: every message was published as it came
        }
    }

    private static byte[] bytes(Object payload) {
        if (payload instanceof byte[] b) {
            return b;
        }
        if (payload instanceof String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }
        if (payload == null) {
            throw new IllegalArgumentException("a null payload cannot be published");
        }
        return payload.toString().getBytes(StandardCharsets.UTF_8);
    }
}
