package io.batpak.web;

import io.batpak.ee.AuditSigning;
import io.batpak.ee.BatpakStore;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.audit.AuditExports;
import io.batpak.engine.audit.AuditKey;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;

/**
 * {@code GET /export?scope=}: a signed audit export (docs/FORMAT.md, "Audit export") of every event
 * in the scope, or in every granted scope without {@code scope}, that the caller's grants reach. A
 * scope outside them exports as an empty one, as reads answer. Streamed: the server holds one page
 * of events and one chain head per entity, never the export. Role reader.
 */
@Produces({ExportResource.NDJSON, Problem.MEDIA_TYPE})
@Path("export")
@ApplicationScoped
public class ExportResource {
    /** The media type of an export: one JSON object per line. */
    static final String NDJSON = "application/x-ndjson";

    @Inject
    BatpakStore store;
    @Inject
    AuditSigning signing;
    @Context
    SecurityContext security;

    @GET
    @RolesAllowed(TokenPrincipal.READER)
    public Response export(@QueryParam("scope") String scope) {
        if (scope != null) {
            Coordinate.validatePart("scope", scope);
        }
        ScopeGrants grants = Callers.grants(security);
        AuditKey key = signing.key(); // before the first byte, so a key problem is a problem+json answer
        StreamingOutput body = out -> AuditExports.scope(store.engine(), scope, grants, key, out);
        return Response.ok(body, NDJSON).build();
    }

    /** The streamed export of one entity (for {@code GET /entities/{entity}/export}). */
    static Response entity(BatpakStore store, AuditSigning signing, EntityQuery query) {
        AuditKey key = signing.key();
        if (query.coordinate() == null) {
            store.engine().resolve(query.entityName(), query.grants()); // ambiguous-entity before any byte is sent
        }
        StreamingOutput body = out -> AuditExports.entity(store.engine(), query, key, out);
        return Response.ok(body, NDJSON).build();
    }
}
