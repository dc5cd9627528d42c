package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.BatpakDerivations;
import io.batpak.ee.BatpakStreams;
import io.batpak.ee.DerivationStatus;
import io.batpak.ee.EventJson;
import io.batpak.engine.Caller;
import io.batpak.streams.flow.DerivationRunner;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * {@code /derivations}: the status of the application's derivations (Flow; see "Derivations
 * (Flow)" in HTTP-API.md) and their keyed state. Role {@code reader}. Grants: a derivation's scope
 * is its source streams, so a caller sees a derivation exactly when its grants reach every source
 * (otherwise 404 {@code not-found}, as if absent, like a stream read outside the grants).
 */
@Produces({MediaType.APPLICATION_JSON, MsgpackJson.MEDIA_TYPE, Problem.MEDIA_TYPE})
@Path("derivations")
@ApplicationScoped
public class DerivationsResource {
    @Inject
    BatpakDerivations derivations;
    @Inject
    BatpakStreams streams;
    @Context
    HttpHeaders headers;
    @Context
    SecurityContext security;

    /** Every derivation the caller's grants reach, with its checkpoint, lag and state. */
    @GET
    @RolesAllowed(StreamAccess.READER)
    public Response list() {
        Caller caller = StreamAccess.caller(security, StreamAccess.READER);
        JsonArrayBuilder out = JSON.createArrayBuilder();
        for (DerivationStatus s : derivations.statuses()) {
            if (s.sources().stream().allMatch(caller::reaches)) {
                out.add(status(s));
            }
        }
        return Bodies.answer(Response.ok(), out.build(), headers.getAcceptableMediaTypes()).build();
    }

    /** {@code {"key","value","encoding"}}: the committed state of {@code key}; 404 if none. */
    @GET
    @Path("{name}/state/{key}")
    @RolesAllowed(StreamAccess.READER)
    public Response state(@PathParam("name") String name, @PathParam("key") String key) {
        Caller caller = StreamAccess.caller(security, StreamAccess.READER);
        DerivationRunner runner = derivations.get(name).filter(r -> r.sources().stream().allMatch(caller::reaches))
                .orElseThrow(() -> notFound("derivation " + name + " does not exist"));
        byte[] value = runner.state(key);
        if (value == null) {
            throw notFound("derivation " + name + " holds no state for key " + key);
        }
        JsonObjectBuilder o = JSON.createObjectBuilder().add("key", key);
        value(o, value);
        return Bodies.answer(Response.ok(), o.build(), headers.getAcceptableMediaTypes()).build();
    }

    private static ProblemException notFound(String detail) {
        return new ProblemException(Problem.of(404, "not-found", "Not found", detail));
    }

    /** One status object; shared with {@code GET /stats}. */
    static JsonObjectBuilder status(DerivationStatus s) {
        JsonArrayBuilder sources = JSON.createArrayBuilder();
        s.sources().forEach(sources::add);
        JsonObjectBuilder checkpoint = JSON.createObjectBuilder();
        for (Map.Entry<String, long[]> e : s.checkpoint().entrySet()) {
            JsonArrayBuilder next = JSON.createArrayBuilder();
            for (long n : e.getValue()) {
                next.add(n);
            }
            checkpoint.add(e.getKey(), next);
        }
        JsonObjectBuilder o = JSON.createObjectBuilder().add("name", s.name()).add("sources", sources)
                .add("shards", s.shards()).add("checkpoint", checkpoint).add("lag", s.lag())
                .add("commits", s.commits()).add("state", s.state());
        s.failureText().ifPresent(f -> o.add("failure", f));
        return o;
    }

    /** The value as JSON if it is UTF-8 JSON, else as text if it is UTF-8, else base64; {@code encoding} says which. */
    private static void value(JsonObjectBuilder o, byte[] value) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            o.add("value", Base64.getEncoder().encodeToString(value)).add("encoding", "base64");
            return;
        }
        JsonValue json = EventJson.payloadJson(value);
        if (json != null) {
            o.add("value", json).add("encoding", "json");
        } else {
            o.add("value", text).add("encoding", "text");
        }
    }
}
