package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.AppendJson;
import io.batpak.ee.BatpakStore;
import io.batpak.ee.EventJson;
import io.batpak.ee.QueryJson;
import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventQuery;
import io.batpak.engine.QueryResult;
import io.batpak.engine.Region;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.WatermarkLevel;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import java.util.UUID;

/**
 * {@code /events}: single appends (JSON, MessagePack, CloudEvents structured and binary), reads by
 * id (also as a CloudEvent), region queries with paging, and ancestors. Thin: it parses, calls
 * {@link BatpakStore}, and maps the answer.
 */
// Jersey answers an Accept outside these with 406 (ProblemMappers) before the method runs.
@Produces({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE, CloudEventsCodec.STRUCTURED, Problem.MEDIA_TYPE})
@Path("events")
@ApplicationScoped
public class EventsResource {
    @Inject
    BatpakStore store;
    @Inject
    CloudEventsConfig cloudEvents;
    @Context
    HttpHeaders headers;
    @Context
    SecurityContext security;

    /**
     * The request's headers, caller and base URI come in as parameters rather than the class's
     * proxies: each call on a {@code @Context} field proxy is a fresh lookup in the request scope,
     * and this is the hottest path of the API.
     */
    @POST
    @RolesAllowed(TokenPrincipal.WRITER)
    public void append(InputStream body, @HeaderParam("Idempotency-Key") String idempotencyKey,
                       @HeaderParam("Content-Length") String contentLength, @Context HttpHeaders request,
                       @Context SecurityContext caller, @Context UriInfo uri, @Suspended AsyncResponse response) {
        byte[] bytes = Bodies.read(body, contentLength, Bodies.limit(store.settings()));
        WatermarkLevel wait = WaitPreference.of(request); // a bad Prefer is refused before anything is stored
        MediaType type = request.getMediaType();
        MultivaluedMap<String, String> requestHeaders = request.getRequestHeaders();
        AppendRequest event;
        AppendCondition condition = null;
        if (CloudEventsCodec.isBinary(requestHeaders)) {
            event = CloudEventsCodec.fromBinary(requestHeaders, type, bytes, cloudEvents::kindForType);
        } else if (CloudEventsCodec.isStructured(type)) {
            event = CloudEventsCodec.fromStructured(bytes, cloudEvents::kindForType);
        } else {
            JsonObject o = Bodies.object(bytes, type);
            event = AppendJson.parse(o, CloudEventsCodec.headerKey(idempotencyKey));
            condition = QueryJson.condition(o, Callers.grants(caller));
        }
        Callers.checkWrites(caller, List.of(event));
        List<MediaType> accept = request.getAcceptableMediaTypes();
        String events = uri.getBaseUri().toString() + "events/";
        // The request thread goes back to the container here; the answer follows the group commit.
        AsyncAnswers.resumeWhenDone(response, store, store.appendAsync(List.of(event), condition, Callers.of(caller)),
                WaitPreference.mayWait(wait, store.engine()), receipts -> answer(receipts.get(0), accept, wait, events));
    }

    /**
     * The answer to a stored (201, {@code Location}) or replayed (200) append. The location is an
     * absolute {@code URI}: Jersey resolves a relative one against the base URI per answer, and parses
     * a text one back into a URI three times while it writes the answer.
     */
    private Response answer(AppendReceipt receipt, List<MediaType> accept, WatermarkLevel wait, String events) {
        JsonObject json = EventJson.receipt(receipt);
        Response.ResponseBuilder r = receipt.replayed()
                ? Response.ok().header("Idempotent-Replayed", "true")
                : Response.created(URI.create(events + receipt.eventId()));
        return WaitPreference.apply(Bodies.answer(r, json, accept), store.engine(), wait, receipt.globalSequence(),
                store.settings().maxWaitMs()).build();
    }

    @GET
    @Path("{eventId}")
    @RolesAllowed(TokenPrincipal.READER)
    public Response get(@PathParam("eventId") String eventId) {
        // An event outside the grants is absent exactly like a missing one: same status, code and detail.
        StoredEvent e = store.engine().get(EventLookup.of(AppendJson.parseUuid(eventId, "eventId"))
                .withGrants(Callers.grants(security)))
                .orElseThrow(() -> new StoreException(ErrorCode.NOT_FOUND, "no event " + eventId));
        for (MediaType m : headers.getAcceptableMediaTypes()) {
            if (CloudEventsCodec.isStructured(m)) {
                return Response.ok(CloudEventsCodec.toStructured(e, cloudEvents::typeForKind), CloudEventsCodec.STRUCTURED)
                        .build();
            }
        }
        return Bodies.answer(Response.ok(), EventJson.event(e), headers.getAcceptableMediaTypes()).build();
    }

    @GET
    @RolesAllowed(TokenPrincipal.READER)
    public Response query(@QueryParam("entityPrefix") String entityPrefix, @QueryParam("scope") String scope,
                          @QueryParam("kind") String kind, @QueryParam("category") String category,
                          @QueryParam("after") String after, @QueryParam("limit") String limit) {
        Region region = Params.region(entityPrefix, scope, kind, category)
                .withAfter(Params.longParam("after", after, 0, 0, Long.MAX_VALUE)).withGrants(Callers.grants(security));
        int max = (int) Params.longParam("limit", limit, 100, 1, Params.MAX_PAGE);
        return page(store.engine().read(region.withLimit(max + 1)), max, null);
    }

    /**
     * {@code POST /events/query}: events of many entities matching any of the body's items, after
     * {@code after}, with the store's {@code head} at the read (the position a condition can name).
     */
    @POST
    @Path("query")
    @RolesAllowed(TokenPrincipal.READER)
    public Response queryItems(InputStream body, @HeaderParam("Content-Length") String contentLength) {
        JsonObject o = Bodies.object(Bodies.read(body, contentLength, Bodies.limit(store.settings())), headers.getMediaType());
        EventQuery q = QueryJson.query(o, Callers.grants(security));
        long after = StreamBodies.integer(o, "after", 0, 0, Long.MAX_VALUE);
        int max = (int) StreamBodies.integer(o, "limit", 100, 1, Params.MAX_PAGE);
        QueryResult r = store.engine().query(q, after, max + 1);
        return page(r.events(), max, r.head());
    }

    @GET
    @Path("{eventId}/ancestors")
    @RolesAllowed(TokenPrincipal.READER)
    public Response ancestors(@PathParam("eventId") String eventId, @QueryParam("limit") String limit) {
        UUID id = AppendJson.parseUuid(eventId, "eventId");
        int max = (int) Params.longParam("limit", limit, 100, 1, Params.MAX_PAGE);
        List<StoredEvent> chain = store.engine().ancestors(EventLookup.of(id).withGrants(Callers.grants(security)), max);
        return EventPages.answer(chain, headers.getAcceptableMediaTypes());
    }

    /**
     * {@code {"events":[…],"next"}} (and {@code "head"} if not null) from a read of {@code max + 1}
     * events, streamed: the first {@code max}, and as {@code next} the last one's global sequence if
     * there were more (else null).
     */
    private Response page(List<StoredEvent> events, int max, Long head) {
        boolean more = events.size() > max;
        List<StoredEvent> page = more ? events.subList(0, max) : events;
        EventPages.Tail next = new EventPages.Tail("next", more ? page.get(page.size() - 1).globalSequence() : null);
        List<MediaType> accept = headers.getAcceptableMediaTypes();
        return head == null ? EventPages.answer(page, accept, next)
                : EventPages.answer(page, accept, next, new EventPages.Tail("head", head));
    }
}
