package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.AppendJson;
import io.batpak.ee.BatpakStore;
import io.batpak.ee.EventJson;
import io.batpak.ee.QueryJson;
import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.EventStore;
import io.batpak.engine.WatermarkLevel;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** {@code POST /batches}: an atomic batch of appends; every event commits or none does. */
// Jersey answers an Accept outside these with 406 (ProblemMappers) before the method runs.
@Produces({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE, CloudEventsCodec.STRUCTURED, Problem.MEDIA_TYPE})
@Path("batches")
@ApplicationScoped
public class BatchesResource {
    @Inject
    BatpakStore store;
    @Context
    HttpHeaders headers;
    @Context
    SecurityContext security;

    @POST
    @RolesAllowed(TokenPrincipal.WRITER)
    public void append(InputStream body, @HeaderParam("Content-Length") String contentLength,
                       @Suspended AsyncResponse response) {
        byte[] bytes = Bodies.read(body, contentLength, Bodies.limit(store.settings()));
        WatermarkLevel wait = WaitPreference.of(headers);
        JsonObject json = Bodies.object(bytes, headers.getMediaType());
        JsonValue events = json.get("events");
        if (!(events instanceof JsonArray list) || list.isEmpty()) {
            throw new ProblemException(Problem.invalid("field 'events' must be a non-empty array of append bodies"));
        }
        if (list.size() > EventStore.MAX_BATCH_EVENTS) {
            throw new ProblemException(Problem.of(413, "payload-too-large", "Payload too large",
                    "a batch holds at most " + EventStore.MAX_BATCH_EVENTS + " events, got " + list.size()));
        }
        List<AppendRequest> requests = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof JsonObject o)) {
                throw new ProblemException(Problem.invalid("events[" + i + "] must be an object"));
            }
            if (o.containsKey("condition")) {
                throw new ProblemException(Problem.invalid("events[" + i + "].condition: a batch's condition goes on the"
                        + " batch (next to 'events'), and covers all of its events"));
            }
            try {
                JsonValue key = o.get("idempotencyKey");
                if (key != null && !(key instanceof jakarta.json.JsonString)) {
                    throw new ProblemException(Problem.invalid("events[" + i + "].idempotencyKey must be a string"));
                }
                requests.add(AppendJson.parse(o, key == null ? null
                        : CloudEventsCodec.headerKey(((jakarta.json.JsonString) key).getString())));
            } catch (io.batpak.engine.StoreException e) {
                throw new io.batpak.engine.StoreException(e.code(), "events[" + i + "]: " + e.getMessage(), e);
            }
        }
        Callers.checkWrites(security, requests);
        AppendCondition condition = QueryJson.condition(json, Callers.grants(security));
        List<MediaType> accept = headers.getAcceptableMediaTypes();
        // The request thread goes back to the container here; the answer follows the group commit.
        AsyncAnswers.resumeWhenDone(response, store, store.appendAsync(requests, condition, Callers.of(security)),
                WaitPreference.mayWait(wait, store.engine()), receipts -> answer(receipts, accept, wait));
    }

    private Response answer(List<AppendReceipt> receipts, List<MediaType> accept, WatermarkLevel wait) {
        // A keyed batch repeated whole answers its original receipts, as a single append does.
        boolean replayed = receipts.get(0).replayed();
        Response.ResponseBuilder status = WaitPreference.apply(replayed ? Response.ok().header("Idempotent-Replayed",
                "true") : Response.status(201), store.engine(), wait, receipts.get(receipts.size() - 1).globalSequence(),
                store.settings().maxWaitMs());
        if (!Bodies.wantsMsgpack(accept)) {
            return status.type(MediaType.APPLICATION_JSON_TYPE).entity(EventJson.receiptsJson(receipts)).build();
        }
        JsonArrayBuilder out = JSON.createArrayBuilder();
        for (AppendReceipt r : receipts) {
            out.add(EventJson.receipt(r));
        }
        return Bodies.answer(status, JSON.createObjectBuilder().add("receipts", out).build(), accept).build();
    }
}
