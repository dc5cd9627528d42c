package io.batpak.ee;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Region;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;
import io.batpak.engine.util.Completions;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.eclipse.microprofile.reactive.messaging.Outgoing;

/**
 * The store on MicroProfile Reactive Messaging.
 *
 * <ul>
 *   <li>{@value #EVENTS} (outgoing): every event committed while its subscriber is connected, in
 *   global order, after it is durable. The payload is the event in the HTTP contract's JSON shape
 *   (a string, so it binds to Kafka with a plain string serializer); {@link EventMetadata} carries
 *   coordinate, kind and sequences. Demand is honoured: the channel reads from a catch-up
 *   subscription, so a slow consumer lags behind without slowing appends or losing events.</li>
 *   <li>{@value #APPEND} (incoming): each message is an append, either an {@link AppendRequest} or the
 *   HTTP append body as JSON (string or bytes); it passes the gates, and the message is acked once the
 *   event is durable, nacked on denial, conflict or malformed input.</li>
 * </ul>
 * Thread-safe.
 */
@ApplicationScoped
public class MessagingChannels {
    public static final String EVENTS = "batpak-events";
    public static final String APPEND = "batpak-append";
    private static final Logger LOG = System.getLogger(MessagingChannels.class.getName());

    @Inject
    BatpakStore store;

    private final List<MultiEmitter<? super Message<String>>> waiting = new ArrayList<>();
    private boolean started;

    @Outgoing(EVENTS)
    public Multi<Message<String>> events() {
        // SmallRye subscribes while the application is still deploying, before the store bean's
        // resources can be injected: park the emitter until start() runs at application start.
        return Multi.createFrom().emitter(emitter -> {
            synchronized (waiting) {
                if (!started) {
                    waiting.add(emitter);
                    return;
                }
            }
            pumpFromNow(emitter);
        });
    }

    /** Starts every channel subscriber that connected during deployment; called at application start. */
    void start() {
        List<MultiEmitter<? super Message<String>>> ready;
        synchronized (waiting) {
            started = true;
            ready = new ArrayList<>(waiting);
            waiting.clear();
        }
        ready.forEach(this::pumpFromNow);
    }

    private void pumpFromNow(MultiEmitter<? super Message<String>> emitter) {
        Subscription s = store.engine().subscribeLive(Region.all(), store.settings().subscriberBuffer());
        emitter.onTermination(s::close);
        store.runLongTask(() -> pump(s, emitter));
    }

    private static void pump(Subscription s, MultiEmitter<? super Message<String>> emitter) {
        try {
            while (!s.isClosed() && !emitter.isCancelled()) {
                long demand = emitter.requested();
                if (demand <= 0) {
                    LockSupport.parkNanos(1_000_000); // no demand: the consumer is behind, the log keeps the rest
                    continue;
                }
                List<StoredEvent> batch = s.poll((int) Math.min(demand, 256), Duration.ofSeconds(1));
                for (StoredEvent e : batch) {
                    emitter.emit(message(e));
                }
            }
            emitter.complete();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            emitter.complete();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "channel " + EVENTS + " stopped", e);
            emitter.fail(e);
        }
    }

    static Message<String> message(StoredEvent e) {
        EventMetadata meta = new EventMetadata(e.eventId().toString(), e.entity(), e.scope(), e.kind().value(),
                e.sequence(), e.globalSequence());
        return Message.of(EventJson.event(e).toString(), Metadata.of(meta));
    }

    @Incoming(APPEND)
    public CompletionStage<Void> append(Message<?> message) {
        AppendRequest request;
        try {
            request = toRequest(message.getPayload());
        } catch (RuntimeException e) {
            return message.nack(e);
        }
        CompletableFuture<?> done = store.appendAsync(List.of(request), Caller.ANONYMOUS);
        return done.handle((receipts, failure) -> failure)
                .thenCompose(failure -> failure == null ? message.ack() : message.nack(Completions.unwrap(failure)));
    }

    static AppendRequest toRequest(Object payload) {
        if (payload instanceof AppendRequest r) {
            return r;
        }
        String json;
        if (payload instanceof String s) {
            json = s;
        } else if (payload instanceof byte[] b) {
            json = new String(b, StandardCharsets.UTF_8);
        } else if (payload instanceof JsonObject o) {
            return AppendJson.parse(o, null);
        } else {
            throw new IllegalArgumentException("a " + APPEND + " message must carry an AppendRequest or a JSON append"
                    + " body, not " + (payload == null ? "null" : payload.getClass().getName()));
        }
        try (JsonReader r = JSON.createReader(new StringReader(json))) {
            return AppendJson.parse(r.readObject(), null);
        }
    }
}
