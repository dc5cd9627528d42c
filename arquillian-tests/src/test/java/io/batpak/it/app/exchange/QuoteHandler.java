package io.batpak.it.app.exchange;

import io.batpak.ee.EndpointHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.json.Json;
import jakarta.json.JsonObject;

/**
 * Serves the endpoint {@code quote}: replies {@code {"sku","total":qty*price}} for
 * {@code {"sku","qty","price"}}, and fails (502 {@code handler-failed} for the caller) when the call
 * holds {@code "fail":true}. Stateless, so thread-safe.
 */
@ApplicationScoped
public class QuoteHandler {
    public static final String ENDPOINT = "quote";

    @EndpointHandler(ENDPOINT)
    public JsonObject quote(JsonObject call) {
        if (call.getBoolean("fail", false)) {
            throw new IllegalArgumentException("no quote for sku " + call.getString("sku", "?"));
        }
        return Json.createObjectBuilder().add("sku", call.getString("sku"))
                .add("total", call.getInt("qty") * call.getInt("price")).build();
    }
}
