package io.batpak.web;

import io.batpak.ee.BatpakStore;
import io.batpak.engine.Caller;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import java.io.InputStream;

/**
 * What the resources of the streams layer share: their bodies are read by {@link StreamBodies}
 * (JSON or MessagePack, within the store's limits), their answers are JSON objects, and the caller
 * comes from the token through {@link StreamAccess}. Stateless apart from injected proxies.
 */
abstract class StreamApiResource {
    @Inject
    BatpakStore store;
    /** Request-scoped proxies injected by the JAX-RS runtime. */
    @Context
    HttpHeaders headers;
    @Context
    SecurityContext security;

    /** The request body as a JSON object; absent only when {@code optional}. */
    JsonObject body(InputStream in, String contentLength, boolean optional) {
        return StreamBodies.read(in, contentLength, optional, store, headers);
    }

    /** The caller, checked to hold {@code role}. */
    Caller caller(String role) {
        return StreamAccess.caller(security, role);
    }

    static Response json(int status, JsonObject body) {
        return StreamBodies.response(status, body);
    }
}
