package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.BatpakPipelines;
import io.batpak.engine.Caller;
import io.batpak.streams.AckResult;
import io.batpak.streams.TxStatement;
import io.batpak.streams.pipeline.PipelineDefinition;
import io.batpak.streams.pipeline.Pipelines;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.List;

/**
 * {@code /pipelines}: Hadron pipelines (see "Pipelines (Hadron)" in HTTP-API.md). Roles as for
 * streams ({@link StreamAccess}): admin defines, reader polls and reads, writer acks, nacks,
 * triggers and replays. Grants: a pipeline's scope is its input stream, so a caller reaches a
 * pipeline exactly when its grants reach the input stream's name (403 for writes outside them, 404
 * for reads); an ack's stream events need grants on their own streams too.
 */
@Produces({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE, Problem.MEDIA_TYPE})
@Path("pipelines/{name}")
@ApplicationScoped
public class PipelinesResource extends StreamApiResource {
    @Inject
    BatpakPipelines pipelines;

    /** The pipeline's input stream once the caller may read it (404 otherwise, as if absent). */
    private String readable(Caller caller, String name) {
        String input = pipelines.get().definition(name).input();
        if (!caller.reaches(input)) {
            throw new ProblemException(Problem.of(404, "not-found", "Not found", "pipeline " + name + " does not exist"));
        }
        return input;
    }

    private void writable(Caller caller, String name) {
        String input = readable(caller, name);
        StreamAccess.write(caller, input);
    }

    @PUT
    @RolesAllowed(StreamAccess.ADMIN)
    public Response put(@PathParam("name") String name, InputStream in,
                        @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.ADMIN);
        PipelineDefinition d = PipelineBodies.definition(body(in, contentLength, false));
        StreamAccess.write(caller, d.input());
        boolean created = pipelines.get().define(name, d, caller);
        return json(created ? 201 : 200, PipelineBodies.definitionJson(name, d).build());
    }

    @GET
    @RolesAllowed(StreamAccess.READER)
    public Response get(@PathParam("name") String name) {
        readable(caller(StreamAccess.READER), name);
        return json(200, PipelineBodies.summary(pipelines.get().summary(name)));
    }

    @POST
    @Path("stages/{stage}/poll")
    @RolesAllowed(StreamAccess.READER)
    public void poll(@PathParam("name") String name, @PathParam("stage") String stage, InputStream in,
                     @HeaderParam("Content-Length") String contentLength, @Suspended AsyncResponse response) {
        Caller caller = caller(StreamAccess.READER);
        readable(caller, name);
        JsonObject o = body(in, contentLength, false);
        String consumer = StreamBodies.requiredString(o, "consumer");
        int max = (int) StreamBodies.integer(o, "max", 10, 1, Pipelines.MAX_POLL);
        long waitMs = StreamBodies.integer(o, "waitMs", 0, 0, Long.MAX_VALUE);
        Pipelines p = pipelines.get();
        AsyncAnswers.resumeAfterWait(response, store, p.pollAsync(name, stage, consumer, max, waitMs, caller),
                Math.min(waitMs, p.maxWaitMs()), () -> json(200, PipelineBodies.deliveries(List.of())),
                ds -> json(200, PipelineBodies.deliveries(ds)));
    }

    @POST
    @Path("stages/{stage}/ack")
    @RolesAllowed(StreamAccess.WRITER)
    public Response ack(@PathParam("name") String name, @PathParam("stage") String stage, InputStream in,
                        @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        writable(caller, name);
        JsonObject o = body(in, contentLength, false);
        String deliveryId = StreamBodies.requiredString(o, "deliveryId");
        List<TxStatement.Publish> events = PipelineBodies.events(o);
        events.forEach(e -> StreamAccess.write(caller, e.stream()));
        AckResult r = pipelines.get().ack(name, stage, deliveryId, PipelineBodies.ackOutput(o), events, caller);
        return json(200, result("acked", r));
    }

    @POST
    @Path("stages/{stage}/nack")
    @RolesAllowed(StreamAccess.WRITER)
    public Response nack(@PathParam("name") String name, @PathParam("stage") String stage, InputStream in,
                         @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        writable(caller, name);
        JsonObject o = body(in, contentLength, false);
        AckResult r = pipelines.get().nack(name, stage, StreamBodies.requiredString(o, "deliveryId"),
                StreamBodies.optionalString(o, "reason"), caller);
        return json(200, result("nacked", r));
    }

    @GET
    @Path("instances/{instanceId}")
    @RolesAllowed(StreamAccess.READER)
    public Response instance(@PathParam("name") String name, @PathParam("instanceId") String instanceId) {
        readable(caller(StreamAccess.READER), name);
        return json(200, PipelineBodies.instance(pipelines.get().instance(name, instanceId)));
    }

    @POST
    @Path("trigger")
    @RolesAllowed(StreamAccess.WRITER)
    public Response trigger(@PathParam("name") String name, InputStream in,
                            @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        writable(caller, name);
        JsonObject o = body(in, contentLength, false);
        long partition = StreamBodies.integer(o, "partition", -1, 0, Integer.MAX_VALUE);
        long offset = StreamBodies.integer(o, "offset", -1, 0, Long.MAX_VALUE);
        if (partition < 0 || offset < 0) {
            throw new ProblemException(Problem.invalid("fields 'partition' and 'offset' are required"));
        }
        String id = pipelines.get().trigger(name, (int) partition, offset, caller);
        return json(201, JSON.createObjectBuilder().add("instanceId", id).build());
    }

    @POST
    @Path("replay")
    @RolesAllowed(StreamAccess.WRITER)
    public Response replay(@PathParam("name") String name, InputStream in,
                           @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        writable(caller, name);
        JsonObject o = body(in, contentLength, true);
        int n = pipelines.get().replay(name, StreamBodies.optionalString(o, "instanceId"), caller);
        return json(200, JSON.createObjectBuilder().add("replayed", n).build());
    }

    private static JsonObject result(String field, AckResult r) {
        JsonArrayBuilder unknown = JSON.createArrayBuilder();
        r.unknown().forEach(unknown::add);
        return JSON.createObjectBuilder().add(field, r.settled()).add("unknown", unknown).build();
    }
}
