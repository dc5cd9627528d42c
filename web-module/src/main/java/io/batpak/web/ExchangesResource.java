package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.BatpakExchanges;
import io.batpak.ee.BatpakStore;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.streams.exchange.EndReason;
import io.batpak.streams.exchange.ExchangeMessage;
import io.batpak.streams.exchange.ExchangeSubscription;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /exchanges/{name}}: ephemeral topic fan-out (HTTP-API.md "Exchanges and RPC endpoints").
 * {@code POST publish} hands {@code {"topic","payload"}} to every subscriber open now whose pattern
 * matches and answers {@code {"delivered":n}}; nothing is stored. {@code GET subscribe?topic=pattern}
 * (default {@code #}, every topic; see {@link io.batpak.streams.exchange.TopicPattern} for
 * {@code *} and {@code #}) streams one SSE message per matching publish, {@code data:}
 * {@code {"topic","payload"}}, from the moment it opened; there are no ids and no replay.
 *
 * <p>The stream is sent by the {@link SseDispatcher} (no thread held while it waits) with the same
 * limits and token-expiry rule as {@code GET /subscribe} ({@link SubscribeResource},
 * {@link SubscriptionLimits}). A subscriber whose
 * queue ({@code batpak.exchanges.subscriber-queue}) fills is dropped; it still receives what was
 * queued before, then a last event {@code event: end} with {@code {"reason":"slow-subscriber"}}
 * (or {@code "shutdown"}, {@code "token-expired"}) before the stream closes. Access:
 * {@link ExchangeAccess}.
 */
@Path("exchanges/{name}")
@ApplicationScoped
public class ExchangesResource {
    @Inject
    BatpakStore store;
    @Inject
    BatpakExchanges exchanges;
    @Inject
    SubscriptionLimits limits;
    @Inject
    TokenVerifier verifier;
    @Inject
    SseDispatcher dispatcher;
    @Context
    SecurityContext security;
    @Context
    HttpHeaders headers;

    @POST
    @Path("publish")
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @RolesAllowed(StreamAccess.WRITER)
    public Response publish(@PathParam("name") String name, InputStream in,
                            @HeaderParam("Content-Length") String contentLength) {
        ExchangeAccess.write(security, name);
        JsonObject o = StreamBodies.read(in, contentLength, false, store, headers);
        String topic = StreamBodies.requiredString(o, "topic");
        String payload = payloadText(o, store.settings().maxEventPayloadBytes());
        int n = exchanges.exchanges().publish(name, topic, payload);
        return StreamBodies.response(200, JSON.createObjectBuilder().add("delivered", n).build());
    }

    /** The body's {@code payload} as JSON text ({@code null} when absent), within the event payload limit. */
    static String payloadText(JsonObject o, int maxBytes) {
        JsonValue v = o.containsKey("payload") ? o.get("payload") : JsonValue.NULL;
        String text = v.toString();
        if (text.length() > maxBytes / 4 && text.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new StoreException(ErrorCode.PAYLOAD_TOO_LARGE, "the payload exceeds " + maxBytes
                    + " bytes (batpak.max-event-payload-bytes)");
        }
        return text;
    }

    @GET
    @Path("subscribe")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(StreamAccess.READER)
    public void subscribe(@PathParam("name") String name, @QueryParam("topic") String topic,
                          @Context SseEventSink sink, @Context Sse sse) {
        ExchangeAccess.read(security, "exchange", name);
        long endsAtSecond = SubscribeResource.endsAt(security, verifier.clockSkewSeconds());
        SubscriptionLimits.Slot slot = limits.acquire(Callers.of(security).name());
        try {
            ExchangeSubscription s = exchanges.exchanges().subscribe(name, topic == null ? "#" : topic);
            try {
                dispatcher.open(new MessageSource(s), sink, sse, slot, endsAtSecond);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    /** An exchange subscription as SSE messages: data = {"topic","payload"}, no ids. */
    static final class MessageSource implements SseSource {
        private final ExchangeSubscription subscription;

        MessageSource(ExchangeSubscription subscription) {
            this.subscription = subscription;
        }

        @Override
        public List<OutboundSseEvent> take(Sse sse, int max) {
            List<ExchangeMessage> messages = subscription.pollNow(max);
            List<OutboundSseEvent> out = new ArrayList<>(messages.size());
            for (ExchangeMessage m : messages) {
                out.add(sse.newEventBuilder().mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class,
                        "{\"topic\":" + JSON.createValue(m.topic()) + ",\"payload\":" + m.payload() + "}").build());
            }
            return out;
        }

        @Override
        public void onReady(Runnable listener) {
            subscription.onReady(listener);
        }

        @Override
        public boolean isFinished() {
            return subscription.isFinished();
        }

        @Override
        public OutboundSseEvent finishedMessage(Sse sse) {
            EndReason why = subscription.endReason();
            return end(sse, why.code(), why == EndReason.SLOW_SUBSCRIBER ? "the subscriber's queue was full:"
                    + " it read slower than the exchange published; messages after this one were not"
                    + " delivered to it" : "the exchanges are shutting down");
        }

        @Override
        public OutboundSseEvent expiredMessage(Sse sse) {
            return end(sse, "token-expired", "the token expired; subscribe again with a fresh one");
        }

        @Override
        public OutboundSseEvent shutdownMessage(Sse sse) {
            return end(sse, EndReason.SHUTDOWN.code(), "the exchanges are shutting down");
        }

        @Override
        public void close() {
            subscription.close();
        }
    }

    private static OutboundSseEvent end(Sse sse, String reason, String detail) {
        return sse.newEventBuilder().name("end").mediaType(MediaType.APPLICATION_JSON_TYPE).data(String.class,
                JSON.createObjectBuilder().add("reason", reason).add("detail", detail).build().toString()).build();
    }
}
