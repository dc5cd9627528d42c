package io.batpak.web;

import io.batpak.ee.BatpakStore;
import io.batpak.ee.EventJson;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.Subscription;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /subscribe}: Server-Sent Events, one message per matching event ({@code id:} its global
 * sequence, {@code data:} the stored event as JSON). Catch-up from {@code Last-Event-ID} (which wins,
 * as on a reconnect) or {@code after}, both exclusive, then live; with neither, live from now. It
 * never skips or repeats an event across a reconnect, because it resumes from the global sequence
 * the client last saw. A comment every 15 s keeps idle connections open. Each stream reads its own
 * catch-up subscription, so it never slows appends, and holds no thread while it waits: the
 * {@link SseDispatcher} sends for all streams on a few threads.
 * A stream ends (after a comment saying why) when the caller's token expires, i.e. once the same
 * token would be refused ({@code exp} plus {@code mp.jwt.verify.clock.skew}): a stream must not
 * outlive the authority it was opened with. The client reconnects with a fresh token and
 * {@code Last-Event-ID}, and misses nothing.
 */
@Path("subscribe")
@ApplicationScoped
public class SubscribeResource {
    @Inject
    BatpakStore store;
    @Inject
    SubscriptionLimits limits;
    @Inject
    TokenVerifier verifier;
    @Inject
    SseDispatcher dispatcher;
    @Context
    SecurityContext security;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RolesAllowed(TokenPrincipal.READER)
    public void subscribe(@QueryParam("entityPrefix") String entityPrefix, @QueryParam("scope") String scope,
                          @QueryParam("kind") String kind, @QueryParam("category") String category,
                          @QueryParam("after") String after, @HeaderParam("Last-Event-ID") String lastEventId,
                          @Context SseEventSink sink, @Context Sse sse) {
        Region filter = Params.region(entityPrefix, scope, kind, category).withGrants(Callers.grants(security));
        EventStore engine = store.engine();
        long from;
        if (lastEventId != null && !lastEventId.isBlank()) {
            from = Params.longParam("Last-Event-ID", lastEventId, 0, 0, Long.MAX_VALUE);
        } else if (after != null && !after.isEmpty()) {
            from = Params.longParam("after", after, 0, 0, Long.MAX_VALUE);
        } else {
            from = engine.globalSequence();
        }
        long endsAtSecond = endsAt(security, verifier.clockSkewSeconds());
        SubscriptionLimits.Slot slot = limits.acquire(Callers.of(security).name());
        try {
            Subscription s = engine.subscribe(filter, from, store.settings().subscriberBuffer());
            try {
                dispatcher.open(new EventSource(s), sink, sse, slot, endsAtSecond);
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
        } catch (RuntimeException e) {
            slot.close();
            throw e;
        }
    }

    /** The epoch second after which the caller's token is refused, or {@link Long#MAX_VALUE}. */
    static long endsAt(SecurityContext security, long skewSeconds) {
        if (security != null && security.getUserPrincipal() instanceof TokenPrincipal p
                && p.expiresAtEpochSecond() != Long.MAX_VALUE) {
            return p.expiresAtEpochSecond() + skewSeconds;
        }
        return Long.MAX_VALUE;
    }

    /** The store subscription as SSE messages: id = global sequence, data = the event as JSON. */
    static final class EventSource implements SseSource {
        private final Subscription subscription;

        EventSource(Subscription subscription) {
            this.subscription = subscription;
        }

        @Override
        public List<OutboundSseEvent> take(Sse sse, int max) {
            List<StoredEvent> events = subscription.pollNow(max);
            List<OutboundSseEvent> out = new ArrayList<>(events.size());
            for (StoredEvent e : events) {
                out.add(sse.newEventBuilder().id(Long.toString(e.globalSequence()))
                        .mediaType(MediaType.APPLICATION_JSON_TYPE).data(EventJson.event(e).toString()).build());
            }
            return out;
        }

        @Override
        public void onReady(Runnable listener) {
            subscription.onReady(listener);
        }

        @Override
        public boolean isFinished() {
            return subscription.isClosed();
        }

        @Override
        public OutboundSseEvent finishedMessage(Sse sse) {
            return null; // the store closed: the client reconnects from its Last-Event-ID
        }

        @Override
        public OutboundSseEvent expiredMessage(Sse sse) {
            return sse.newEventBuilder().comment("token expired").build();
        }

        @Override
        public OutboundSseEvent shutdownMessage(Sse sse) {
            return null;
        }

        @Override
        public void close() {
            subscription.close();
        }
    }
}
