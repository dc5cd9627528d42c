package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem document ({@code application/problem+json}) with the contract's stable
 * {@code code}. Built fluently, answered with {@link #response()}. Not thread-safe (one per answer).
 */
public final class Problem {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://batpak.io/problems/";

    private final int status;
    private final JsonObjectBuilder body;
    private Integer retryAfterSeconds;

    private Problem(int status, String code, String title, String detail) {
        this.status = status;
        this.body = JSON.createObjectBuilder()
                .add("type", TYPE_BASE + code)
                .add("title", title)
                .add("status", status)
                .add("detail", detail == null ? title : detail)
                .add("code", code);
    }

    public static Problem of(int status, String code, String title, String detail) {
        return new Problem(status, code, title, detail);
    }

    public static Problem invalid(String detail) {
        return of(400, "invalid-request", "Invalid request", detail);
    }

    public Problem with(String name, String value) {
        if (value == null) {
            body.addNull(name);
        } else {
            body.add(name, value);
        }
        return this;
    }

    public Problem with(String name, long value) {
        body.add(name, value);
        return this;
    }

    public Problem retryAfter(int seconds) {
        this.retryAfterSeconds = seconds;
        return this;
    }

    /** The problem document as JSON text, for answers written outside JAX-RS (servlet filters). */
    public String json() {
        return body.build().toString();
    }

    public Response response() {
        Response.ResponseBuilder r = Response.status(status).type(MEDIA_TYPE).entity(body.build().toString());
        if (retryAfterSeconds != null) {
            r.header("Retry-After", retryAfterSeconds);
        }
        return r.build();
    }
}
