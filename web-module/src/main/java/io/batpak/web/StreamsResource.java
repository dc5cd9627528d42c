package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.BatpakStreams;
import io.batpak.engine.Caller;
import io.batpak.engine.EventStore;
import io.batpak.streams.AckResult;
import io.batpak.streams.Delivery;
import io.batpak.streams.GroupConfig;
import io.batpak.streams.Published;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.Streams;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /streams}: partitioned streams and their consumer groups (see "Streams, consumer groups,
 * transactions" in HTTP-API.md). An unknown stream or group is 404 {@code not-found}; a stream
 * outside the caller's grants is 403 {@code forbidden} for writes and 404 for reads.
 */
// Jersey answers an Accept outside these with 406 (ProblemMappers) before the method runs.
@Produces({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE, CloudEventsCodec.STRUCTURED, Problem.MEDIA_TYPE})
@Path("streams/{stream}")
@ApplicationScoped
public class StreamsResource extends StreamApiResource {
    @Inject
    BatpakStreams streams;

    @PUT
    @RolesAllowed(StreamAccess.ADMIN)
    public Response put(@PathParam("stream") String stream, InputStream in,
                        @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.ADMIN);
        StreamAccess.write(caller, stream);
        JsonObject o = body(in, contentLength, false);
        int partitions = (int) StreamBodies.integer(o, "partitions", -1, 1, Integer.MAX_VALUE);
        if (partitions < 0) {
            throw new ProblemException(Problem.invalid("field 'partitions' is required"));
        }
        Streams s = streams.get();
        boolean created = s.partitions(stream) == 0;
        int n = s.createOrGrow(stream, partitions, caller);
        return json(created ? 201 : 200, JSON.createObjectBuilder().add("stream", stream).add("partitions", n).build());
    }

    @GET
    @RolesAllowed(StreamAccess.READER)
    public Response get(@PathParam("stream") String stream) {
        StreamAccess.read(caller(StreamAccess.READER), stream);
        long[] heads = streams.get().heads(stream);
        JsonArrayBuilder a = JSON.createArrayBuilder();
        for (int p = 0; p < heads.length; p++) {
            a.add(JSON.createObjectBuilder().add("partition", p).add("head", heads[p]));
        }
        return json(200, JSON.createObjectBuilder().add("stream", stream).add("partitions", heads.length)
                .add("heads", a).build());
    }

    @POST
    @Path("events")
    @RolesAllowed(StreamAccess.WRITER)
    public Response publish(@PathParam("stream") String stream, InputStream in,
                            @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        StreamAccess.write(caller, stream);
        JsonObject o = body(in, contentLength, false);
        JsonValue many = o.get("events");
        List<StreamEvent> events = new ArrayList<>();
        if (many instanceof JsonArray list) {
            if (list.isEmpty() || list.size() > EventStore.MAX_BATCH_EVENTS) {
                throw new ProblemException(Problem.invalid("field 'events' must hold 1.." + EventStore.MAX_BATCH_EVENTS
                        + " events"));
            }
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof JsonObject e)) {
                    throw new ProblemException(Problem.invalid("events[" + i + "] must be an object"));
                }
                events.add(StreamBodies.event(e));
            }
        } else {
            events.add(StreamBodies.event(o));
        }
        List<Published> done = streams.get().publish(stream, events, caller);
        if (many == null) {
            return json(201, StreamBodies.published(done.get(0)).build());
        }
        JsonArrayBuilder a = JSON.createArrayBuilder();
        done.forEach(p -> a.add(StreamBodies.published(p)));
        return json(201, JSON.createObjectBuilder().add("events", a).build());
    }

    @PUT
    @Path("groups/{group}")
    @RolesAllowed(StreamAccess.ADMIN)
    public Response putGroup(@PathParam("stream") String stream, @PathParam("group") String group, InputStream in,
                             @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.ADMIN);
        StreamAccess.write(caller, stream);
        JsonObject o = body(in, contentLength, true);
        Streams s = streams.get();
        GroupConfig c = s.configureGroup(stream, group, StreamBodies.groupConfig(o, s.config().groupDefaults()), caller);
        return json(200, StreamBodies.config(c).add("stream", stream).add("group", group).build());
    }

    @POST
    @Path("groups/{group}/poll")
    @RolesAllowed(StreamAccess.READER)
    public void poll(@PathParam("stream") String stream, @PathParam("group") String group, InputStream in,
                     @HeaderParam("Content-Length") String contentLength, @Suspended AsyncResponse response) {
        Caller caller = caller(StreamAccess.READER);
        StreamAccess.read(caller, stream);
        JsonObject o = body(in, contentLength, false);
        String consumer = StreamBodies.requiredString(o, "consumer");
        int max = (int) StreamBodies.integer(o, "max", 100, 1, Streams.MAX_POLL);
        long waitMs = StreamBodies.integer(o, "waitMs", 0, 0, Long.MAX_VALUE);
        String start = StreamBodies.optionalString(o, "start");
        requireWriterToCreate(stream, group);
        Streams s = streams.get();
        // The request thread goes back to the container here; the answer follows the deliveries or the wait's end.
        AsyncAnswers.resumeAfterWait(response, store, s.pollAsync(stream, group, consumer, max, waitMs,
                        start == null ? null : StartPosition.parse(start), caller),
                Math.min(waitMs, s.config().maxWaitMs()), () -> json(200, StreamBodies.deliveries(List.of())),
                ds -> json(200, StreamBodies.deliveries(ds)));
    }

    @POST
    @Path("groups/{group}/ack")
    @RolesAllowed(StreamAccess.WRITER)
    public Response ack(@PathParam("stream") String stream, @PathParam("group") String group, InputStream in,
                        @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        StreamAccess.write(caller, stream);
        AckResult r = streams.get().ack(stream, group, StreamBodies.ids(body(in, contentLength, false)), caller);
        return json(200, result("acked", r));
    }

    @POST
    @Path("groups/{group}/nack")
    @RolesAllowed(StreamAccess.WRITER)
    public Response nack(@PathParam("stream") String stream, @PathParam("group") String group, InputStream in,
                         @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        StreamAccess.write(caller, stream);
        JsonObject o = body(in, contentLength, false);
        AckResult r = streams.get().nack(stream, group, StreamBodies.ids(o), StreamBodies.optionalString(o, "reason"), caller);
        return json(200, result("nacked", r));
    }

    @GET
    @Path("groups/{group}/parked")
    @RolesAllowed(StreamAccess.READER)
    public Response parked(@PathParam("stream") String stream, @PathParam("group") String group,
                           @QueryParam("after") String after, @QueryParam("limit") String limit) {
        StreamAccess.read(caller(StreamAccess.READER), stream);
        int n = (int) Params.longParam("limit", limit, 100, 1, Streams.MAX_PARKED_PAGE);
        return json(200, StreamBodies.parked(streams.get().parked(stream, group, after, n)));
    }

    @POST
    @Path("groups/{group}/parked/replay")
    @RolesAllowed(StreamAccess.WRITER)
    public Response replayParked(@PathParam("stream") String stream, @PathParam("group") String group, InputStream in,
                                 @HeaderParam("Content-Length") String contentLength) {
        Caller caller = caller(StreamAccess.WRITER);
        StreamAccess.write(caller, stream);
        List<long[]> offsets = StreamBodies.replayOffsets(body(in, contentLength, true));
        int n = streams.get().replayParked(stream, group, offsets, caller);
        return json(200, JSON.createObjectBuilder().add("replayed", n).build());
    }

    private static JsonObject result(String name, AckResult r) {
        JsonArrayBuilder unknown = JSON.createArrayBuilder();
        r.unknown().forEach(unknown::add);
        return JSON.createObjectBuilder().add(name, r.settled()).add("unknown", unknown).build();
    }

    @GET
    @Path("groups/{group}")
    @RolesAllowed(StreamAccess.READER)
    public Response group(@PathParam("stream") String stream, @PathParam("group") String group) {
        StreamAccess.read(caller(StreamAccess.READER), stream);
        Streams s = streams.get();
        GroupConfig c = s.groupConfig(stream, group);
        return json(200, StreamBodies.config(c).add("stream", stream).add("group", group)
                .add("partitions", StreamBodies.partitions(s.state(stream, group))).build());
    }

    /**
     * A first poll creates its group durably (a configuration event), which is a write: a caller
     * without {@code writer} may poll only groups that exist already (403 {@code forbidden} otherwise).
     */
    private void requireWriterToCreate(String stream, String group) {
        if (security == null || security.getUserPrincipal() == null || security.isUserInRole(StreamAccess.WRITER)) {
            return;
        }
        try {
            streams.get().groupConfig(stream, group);
        } catch (io.batpak.engine.StoreException e) {
            if (e.code() == io.batpak.engine.ErrorCode.NOT_FOUND && streams.get().partitions(stream) > 0) {
                throw new ProblemException(Problem.of(403, "forbidden", "Forbidden", "group " + group
                        + " does not exist, and creating it needs the role '" + StreamAccess.WRITER + "'"));
            }
            throw e;
        }
    }
}
