package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.BatpakExchanges;
import io.batpak.ee.BatpakStore;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.streams.exchange.EndpointCall;
import io.batpak.streams.exchange.Endpoints;
import io.batpak.streams.exchange.ReplyOutcome;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.InputStream;
import java.io.StringReader;
import java.util.List;

/**
 * {@code /endpoints/{name}}: RPC endpoints (HTTP-API.md "Exchanges and RPC endpoints").
 * {@code POST call} {@code {"payload","timeoutMs"}} waits for one handler's reply and answers
 * {@code {"payload"}}, or 504 {@code timeout}, 503 {@code no-handler} (no handler polled within
 * {@code batpak.endpoints.handler-presence-ms}), 503 {@code endpoint-busy}, 502
 * {@code handler-failed}. HTTP handlers take calls with {@code POST poll}
 * {@code {"handler","waitMs","max"}} → {@code {"calls":[{"callId","payload"}]}} and answer with
 * {@code POST reply} {@code {"callId","payload"}} (or {@code "error"} instead of a payload, which
 * fails the call with 502). A reply always answers 200 with its {@code outcome}: {@code accepted},
 * or {@code expired}, {@code already-answered}, {@code unknown} for a reply that reached nobody.
 * CDI beans serve endpoints with {@link io.batpak.ee.EndpointHandler}. Access: {@link ExchangeAccess}.
 */
@Path("endpoints/{name}")
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
@ApplicationScoped
public class EndpointsResource {
    /** Most calls one poll takes. */
    static final int MAX_POLL = 100;

    @Inject
    BatpakStore store;
    @Inject
    BatpakExchanges exchanges;
    @Context
    SecurityContext security;
    @Context
    HttpHeaders headers;

    private JsonObject body(InputStream in, String contentLength) {
        return StreamBodies.read(in, contentLength, false, store, headers);
    }

    @POST
    @Path("call")
    @RolesAllowed(StreamAccess.WRITER)
    public void call(@PathParam("name") String name, InputStream in,
                     @HeaderParam("Content-Length") String contentLength, @Suspended AsyncResponse response) {
        ExchangeAccess.write(security, name);
        JsonObject o = body(in, contentLength);
        Endpoints e = exchanges.endpoints();
        long timeoutMs = StreamBodies.integer(o, "timeoutMs", 0, 1, Long.MAX_VALUE); // longer is cut to the maximum
        String payload = ExchangesResource.payloadText(o, store.settings().maxEventPayloadBytes());
        long effective = e.effectiveTimeoutMs(timeoutMs);
        // The request thread goes back to the container here; the answer follows the reply or the timeout.
        AsyncAnswers.resumeAfterWait(response, store, e.callAsync(name, payload, timeoutMs), effective,
                () -> new StoreException(ErrorCode.TIMEOUT, "endpoint '" + name + "' gave no reply within "
                        + effective + " ms"),
                reply -> StreamBodies.response(200, JSON.createObjectBuilder().add("payload", json(reply)).build()));
    }

    @POST
    @Path("poll")
    @RolesAllowed(StreamAccess.READER)
    public void poll(@PathParam("name") String name, InputStream in,
                     @HeaderParam("Content-Length") String contentLength, @Suspended AsyncResponse response) {
        ExchangeAccess.read(security, "endpoint", name);
        JsonObject o = body(in, contentLength);
        String handler = StreamBodies.requiredString(o, "handler");
        long waitMs = StreamBodies.integer(o, "waitMs", 0, 0, Long.MAX_VALUE);
        int max = (int) StreamBodies.integer(o, "max", 1, 1, MAX_POLL);
        Endpoints e = exchanges.endpoints();
        AsyncAnswers.resumeAfterWait(response, store, e.pollAsync(name, handler, max, waitMs),
                Math.min(waitMs, e.config().maxPollWaitMs()), () -> calls(List.of()), EndpointsResource::calls);
    }

    private static Response calls(List<EndpointCall> calls) {
        JsonArrayBuilder a = JSON.createArrayBuilder();
        calls.forEach(c -> a.add(JSON.createObjectBuilder().add("callId", c.callId()).add("payload", json(c.payload()))));
        return StreamBodies.response(200, JSON.createObjectBuilder().add("calls", a).build());
    }

    @POST
    @Path("reply")
    @RolesAllowed(StreamAccess.WRITER)
    public Response reply(@PathParam("name") String name, InputStream in,
                          @HeaderParam("Content-Length") String contentLength) {
        ExchangeAccess.write(security, name);
        JsonObject o = body(in, contentLength);
        String callId = StreamBodies.requiredString(o, "callId");
        String error = StreamBodies.optionalString(o, "error");
        String payload = error != null ? null : ExchangesResource.payloadText(o, store.settings().maxEventPayloadBytes());
        ReplyOutcome r = exchanges.endpoints().reply(name, callId, payload, error);
        return StreamBodies.response(200, JSON.createObjectBuilder().add("callId", callId).add("outcome", r.code())
                .add("accepted", r == ReplyOutcome.ACCEPTED).build());
    }

    /** JSON text the endpoints carry (validated when it entered) as a value; null text is JSON null. */
    private static JsonValue json(String text) {
        if (text == null) {
            return JsonValue.NULL;
        }
        try (JsonReader r = JSON.createReader(new StringReader(text))) {
            return r.readValue();
        }
    }
}
