package io.batpak.it.app.streams;

import io.batpak.ee.BatpakStreamMetadata;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;

/** Test-only endpoints: what {@link StreamProbe} and {@link CompetingProbe} received, and a publish through the {@code streams-out} channel. */
@Path("_streams-probe")
@RequestScoped
public class StreamProbeResource {
    @Inject
    StreamProbe probe;
    @Inject
    CompetingProbe competing;
    @Inject
    @Channel("streams-out")
    Emitter<String> out;

    @GET
    @Path("received")
    @Produces(MediaType.APPLICATION_JSON)
    public String received() {
        JsonArrayBuilder a = Json.createArrayBuilder();
        probe.deliveries().forEach(a::add);
        return a.build().toString();
    }

    @GET
    @Path("competing")
    @Produces(MediaType.APPLICATION_JSON)
    public String competing() {
        JsonArrayBuilder a = Json.createArrayBuilder();
        competing.seen().forEach(a::add);
        return a.build().toString();
    }

    /** Sends the body to streams-out with {@code key}; answers "ack" or "nack: reason" once the connector settled it. */
    @POST
    @Path("publish")
    @Produces(MediaType.TEXT_PLAIN)
    public String publish(@QueryParam("key") String key, String body) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        out.send(Message.of(body, Metadata.of(BatpakStreamMetadata.outgoing(key, 0)))
                .withAck(() -> {
                    outcome.complete("ack");
                    return CompletableFuture.completedFuture(null);
                })
                .withNack(t -> {
                    outcome.complete("nack: " + t.getMessage());
                    return CompletableFuture.completedFuture(null);
                }));
        return outcome.get(30, TimeUnit.SECONDS);
    }
}
