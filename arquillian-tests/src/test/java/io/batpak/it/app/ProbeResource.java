package io.batpak.it.app;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Message;

/** Test-only endpoints that expose what the probes saw and send appends through {@code batpak-append}. */
@Path("_probe")
@RequestScoped
public class ProbeResource {
    @Inject
    Probes probes;
    @Inject
    @Channel("batpak-append")
    Emitter<String> append;

    @GET
    @Path("cdi")
    @Produces(MediaType.APPLICATION_JSON)
    public String cdi() {
        return array(probes.cdi());
    }

    @GET
    @Path("cdi-kind-a")
    @Produces(MediaType.APPLICATION_JSON)
    public String cdiKindA() {
        return array(probes.cdiKindA());
    }

    @GET
    @Path("messaging")
    @Produces(MediaType.APPLICATION_JSON)
    public String messaging() {
        return array(probes.messaging());
    }

    /** Sends the body to batpak-append and answers "ack" or "nack: reason" once the store settled it. */
    @POST
    @Path("append")
    @Produces(MediaType.TEXT_PLAIN)
    public String sendAppend(String body) throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        append.send(Message.of(body)
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

    private static String array(List<Long> values) {
        JsonArrayBuilder a = Json.createArrayBuilder();
        values.forEach(a::add);
        return a.build().toString();
    }
}
