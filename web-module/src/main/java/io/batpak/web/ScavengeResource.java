package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.engine.ScavengeStatus;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code /admin/scavenge} (role {@code admin}): reclaims the disk space of events past retention.
 * {@code POST} starts a job on the container's managed executor and answers 202 {@code {"job"}}
 * (while one runs, that job's id: there is never more than one); {@code GET} answers the newest
 * job's {@code {"job","state","segmentsDone","segmentsTotal","bytesReclaimed"}} ({@code state}
 * idle, running, done or failed, with {@code error} when failed). The job only touches events
 * that no read sees any more, in every scope, so it needs no scope grant; reads and appends go on
 * while it runs. Stateless apart from injected proxies.
 */
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
@Path("admin/scavenge")
@ApplicationScoped
public class ScavengeResource extends StreamApiResource {

    @POST
    @RolesAllowed(StreamAccess.ADMIN)
    public Response start() {
        caller(StreamAccess.ADMIN);
        ScavengeStatus s = store.engine().scavenge(store::runTask);
        return json(202, JSON.createObjectBuilder().add("job", s.job()).build());
    }

    @GET
    @RolesAllowed(StreamAccess.ADMIN)
    public Response status() {
        caller(StreamAccess.ADMIN);
        ScavengeStatus s = store.engine().scavengeStatus();
        JsonObjectBuilder b = JSON.createObjectBuilder().add("job", s.job()).add("state", s.state().wireName())
                .add("segmentsDone", s.segmentsDone()).add("segmentsTotal", s.segmentsTotal())
                .add("bytesReclaimed", s.bytesReclaimed());
        if (s.error() != null) {
            b.add("error", s.error());
        }
        return json(200, b.build());
    }
}
