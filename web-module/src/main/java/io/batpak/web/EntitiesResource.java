package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.AuditSigning;
import io.batpak.ee.BatpakStore;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.VerifyResult;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.InputStream;
import java.util.List;

/**
 * {@code /entities/{entity}}: one entity's events by sequence, its hash-chain verification (from its
 * first kept event, {@code "from"}), its truncation (role {@code admin}: {@code POST .../truncate}
 * {@code {"before":<sequence>}} drops the events below it from every read) and its
 * signed audit export. An
 * entity is a coordinate: {@code ?scope=} names its scope; without it the one entity of that name
 * within the caller's grants is meant (400 {@code ambiguous-entity} if there are several). An entity
 * outside the grants reads exactly like one with no events.
 */
// Jersey answers an Accept outside these with 406 (ProblemMappers) before the method runs.
@Produces({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE, CloudEventsCodec.STRUCTURED, Problem.MEDIA_TYPE})
@Path("entities/{entity}")
@ApplicationScoped
public class EntitiesResource {
    @Inject
    BatpakStore store;
    @Inject
    AuditSigning signing;
    @Context
    HttpHeaders headers;
    @Context
    SecurityContext security;

    @GET
    @Path("events")
    @RolesAllowed(TokenPrincipal.READER)
    public Response events(@PathParam("entity") String entity, @QueryParam("scope") String scope,
                           @QueryParam("from") String from, @QueryParam("limit") String limit) {
        Coordinate.validatePart("entity", entity);
        long start = Params.longParam("from", from, 0, 0, Long.MAX_VALUE);
        int max = (int) Params.longParam("limit", limit, 100, 1, Params.MAX_PAGE);
        List<StoredEvent> events = store.engine().readEntity(query(entity, scope).withFrom(start).withLimit(max + 1));
        boolean more = events.size() > max;
        List<StoredEvent> page = more ? events.subList(0, max) : events;
        // Streamed event by event (EventPages): a page of up to MAX_PAGE events is never built as a tree.
        return EventPages.answer(page, headers.getAcceptableMediaTypes(),
                new EventPages.Tail("next", more ? page.get(page.size() - 1).sequence() + 1 : null));
    }

    @GET
    @Path("verify")
    @RolesAllowed(TokenPrincipal.READER)
    public Response verify(@PathParam("entity") String entity, @QueryParam("scope") String scope) {
        Coordinate.validatePart("entity", entity);
        VerifyResult v = store.engine().verify(query(entity, scope));
        JsonObjectBuilder out = JSON.createObjectBuilder().add("entity", v.entity()).add("events", v.events())
                .add("valid", v.valid());
        out.add("from", v.from());
        if (v.valid()) {
            out.addNull("firstInvalidSequence");
        } else {
            out.add("firstInvalidSequence", v.firstInvalidSequence());
        }
        return Bodies.answer(Response.ok(), out.build(), headers.getAcceptableMediaTypes()).build();
    }

    /**
     * Drops the entity's events below {@code before} (0..its last sequence + 1) from every read,
     * query and subscription; answers {@code {"entity","scope","before"}} with the truncate-before in
     * force (it never goes down). 404 for an entity without events in the caller's grants.
     */
    @POST
    @Path("truncate")
    @Consumes({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE})
    @Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
    @RolesAllowed(TokenPrincipal.ADMIN)
    public Response truncate(@PathParam("entity") String entity, @QueryParam("scope") String scope, InputStream in,
                             @HeaderParam("Content-Length") String contentLength) {
        Coordinate.validatePart("entity", entity);
        StreamAccess.caller(security, TokenPrincipal.ADMIN);
        long before = StreamBodies.integer(StreamBodies.read(in, contentLength, false, store, headers), "before", -1, 0,
                Long.MAX_VALUE);
        if (before < 0) {
            throw new ProblemException(Problem.invalid("field 'before' is required"));
        }
        EntityQuery q = query(entity, scope);
        long inForce = store.engine().truncate(q, before); // NOT_FOUND unless the entity is within the grants
        Coordinate c = scope != null ? q.coordinate() : store.engine().resolve(entity, q.grants()).orElseThrow();
        return StreamBodies.response(200, JSON.createObjectBuilder().add("entity", c.entity()).add("scope", c.scope())
                .add("before", inForce).build());
    }

    /**
     * The entity's events as a signed audit export (docs/FORMAT.md, "Audit export"), streamed; an
     * entity outside the grants exports as one without events.
     */
    @GET
    @Path("export")
    @Produces({ExportResource.NDJSON, Problem.MEDIA_TYPE})
    @RolesAllowed(TokenPrincipal.READER)
    public Response export(@PathParam("entity") String entity, @QueryParam("scope") String scope) {
        Coordinate.validatePart("entity", entity);
        return ExportResource.entity(store, signing, query(entity, scope));
    }

    /**
     * The entity a path's name (and optional scope) means, within the caller's grants: an entity
     * outside them reads as one without events, a bare name held in several granted scopes is
     * {@code AMBIGUOUS_ENTITY}.
     */
    private EntityQuery query(String entity, String scope) {
        EntityQuery q = scope != null ? EntityQuery.of(new Coordinate(entity, scope)) : EntityQuery.of(entity);
        return q.withGrants(Callers.grants(security));
    }
}
