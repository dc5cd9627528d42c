package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.RetentionRule;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.Optional;

/**
 * {@code /retention/{scope}}: a scope's retention rule ({@code maxAgeMs} by event timestamp,
 * {@code maxCount} newest events kept per entity). {@code PUT} (role {@code admin}) sets it and
 * answers it; once it has answered, events past it are gone from every read, query and
 * subscription. {@code GET} (role {@code reader}) answers the rule or 404 {@code not-found};
 * {@code DELETE} (role {@code admin}) removes it, 204, or 404 if the scope had none. A scope
 * outside the caller's grants is 403 {@code forbidden} to change and 404 to read. Stateless apart
 * from injected proxies; the engine's {@code EventStore} does the work.
 */
@Produces({MediaType.APPLICATION_JSON, Problem.MEDIA_TYPE})
@Path("retention/{scope}")
@ApplicationScoped
public class RetentionResource extends StreamApiResource {

    @PUT
    @RolesAllowed(StreamAccess.ADMIN)
    public Response put(@PathParam("scope") String scope, InputStream in,
                        @HeaderParam("Content-Length") String contentLength) {
        Coordinate.validatePart("scope", scope);
        StreamAccess.write(caller(StreamAccess.ADMIN), scope);
        JsonObject o = body(in, contentLength, false);
        long age = StreamBodies.integer(o, "maxAgeMs", -1, 1, Long.MAX_VALUE);
        long count = StreamBodies.integer(o, "maxCount", -1, 0, Integer.MAX_VALUE);
        if (age < 0 && count < 0) {
            throw new ProblemException(Problem.invalid("a rule needs 'maxAgeMs' or 'maxCount'"));
        }
        RetentionRule rule = new RetentionRule(age < 0 ? null : age, count < 0 ? null : count);
        store.engine().setRetention(scope, rule);
        return json(200, rule(scope, rule));
    }

    @GET
    @RolesAllowed(StreamAccess.READER)
    public Response get(@PathParam("scope") String scope) {
        Coordinate.validatePart("scope", scope);
        Caller caller = caller(StreamAccess.READER);
        Optional<RetentionRule> rule = caller.reaches(scope) ? store.engine().retention(scope) : Optional.empty();
        if (rule.isEmpty()) {
            throw new ProblemException(Problem.of(404, "not-found", "Not found", "scope " + scope + " has no retention rule"));
        }
        return json(200, rule(scope, rule.get()));
    }

    @DELETE
    @RolesAllowed(StreamAccess.ADMIN)
    public Response delete(@PathParam("scope") String scope) {
        Coordinate.validatePart("scope", scope);
        StreamAccess.write(caller(StreamAccess.ADMIN), scope);
        if (!store.engine().removeRetention(scope)) {
            throw new ProblemException(Problem.of(404, "not-found", "Not found", "scope " + scope + " has no retention rule"));
        }
        return Response.noContent().build();
    }

    private static JsonObject rule(String scope, RetentionRule r) {
        JsonObjectBuilder b = JSON.createObjectBuilder().add("scope", scope);
        if (r.maxAgeMs() == null) {
            b.addNull("maxAgeMs");
        } else {
            b.add("maxAgeMs", r.maxAgeMs());
        }
        if (r.maxCount() == null) {
            b.addNull("maxCount");
        } else {
            b.add("maxCount", r.maxCount());
        }
        return b.build();
    }
}
