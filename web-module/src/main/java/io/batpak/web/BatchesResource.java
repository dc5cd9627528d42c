package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.BatpakStore;
import io.batpak.ee.EventJson;
import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.WatermarkLevel;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
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
        LimitedBody limited = LimitedBody.open(body, contentLength, Bodies.limit(store.settings()));
        WatermarkLevel wait;
        try {
            wait = WaitPreference.of(headers);
        } catch (RuntimeException e) {
            throw limited.refuse(e); // a body over the limit is answered 413 first, as when it was read whole
        }
        // Streamed: one event's object at a time becomes a request; the body is never held whole.
        BatchBodies.Batch batch = BatchBodies.read(limited, headers.getMediaType());
        List<AppendRequest> requests = batch.requests();
        Callers.checkWrites(security, requests);
        AppendCondition condition = batch.condition(Callers.grants(security));
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
