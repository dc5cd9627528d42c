package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.BatpakDerivations;
import io.batpak.ee.BatpakStore;
import io.batpak.ee.DerivationStatus;
import io.batpak.engine.StoreStats;
import io.batpak.engine.Watermarks;
import io.batpak.engine.ScopeGrants;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;

/**
 * {@code GET /stats}: counts, bytes, segments and writer figures of the store, and the status of
 * each derivation the caller's grants reach (as in {@code GET /derivations}: its applied position
 * per source partition and its lag).
 */
// Jersey answers an Accept outside these with 406 (ProblemMappers) before the method runs.
@Produces({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE, CloudEventsCodec.STRUCTURED, Problem.MEDIA_TYPE})
@Path("stats")
@ApplicationScoped
public class StatsResource {
    @Inject
    BatpakStore store;
    @Inject
    BatpakDerivations derivations;
    @Context
    HttpHeaders headers;
    @Context
    SecurityContext security;

    @GET
    @RolesAllowed(TokenPrincipal.READER)
    public Response stats() {
        // Counts cover only what the caller's grants reach; whole-log figures are zero for a scoped caller.
        ScopeGrants grants = Callers.grants(security);
        StoreStats s = store.engine().stats(grants);
        JsonObject out = JSON.createObjectBuilder()
                .add("events", s.events())
                .add("entities", s.entities())
                .add("scopes", s.scopes())
                .add("segments", s.segments())
                .add("bytes", s.bytes())
                .add("globalSequence", s.globalSequence())
                .add("writerQueueDepth", s.writerQueueDepth())
                .add("groupCommits", s.groupCommits())
                .add("fsyncs", s.fsyncs())
                .add("fsyncMeanUs", s.fsyncs() == 0 ? 0 : s.fsyncNanosTotal() / s.fsyncs() / 1000)
                .add("fsyncMaxUs", s.fsyncNanosMax() / 1000)
                .add("watermarks", watermarks(grants))
                .add("derivations", derivations(grants))
                .add("scoped", !grants.reachesAll())
                .build();
        return Bodies.answer(Response.ok(), out, headers.getAcceptableMediaTypes()).build();
    }

    private JsonArrayBuilder derivations(ScopeGrants grants) {
        JsonArrayBuilder out = JSON.createArrayBuilder();
        for (DerivationStatus d : derivations.statuses()) {
            if (d.sources().stream().allMatch(grants::reaches)) {
                out.add(DerivationsResource.status(d));
            }
        }
        return out;
    }

    /** Whole-log positions: zero for a scoped caller, like the other whole-log figures. */
    private JsonObject watermarks(ScopeGrants grants) {
        Watermarks w = grants.reachesAll() ? store.engine().watermarks() : new Watermarks(0, 0, 0);
        return JSON.createObjectBuilder().add("accepted", w.accepted()).add("durable", w.durable())
                .add("visible", w.visible()).build();
    }
}
