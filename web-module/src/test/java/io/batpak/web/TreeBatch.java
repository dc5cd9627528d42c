package io.batpak.web;

import io.batpak.ee.AppendJson;
import io.batpak.ee.QueryJson;
import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The test oracle: {@code POST /batches} parsed as BatchesResource did before the body was streamed
 * (issue 17), kept verbatim: the body read whole into bytes, one JSON tree of it
 * ({@link Bodies#object}, MessagePack through {@link MsgpackJson#decode}), then each event.
 */
final class TreeBatch {
    private TreeBatch() {
    }

    record Parsed(List<AppendRequest> requests, AppendCondition condition) {
    }

    static Parsed parse(byte[] body, MediaType type, long limit, ScopeGrants grants) {
        JsonObject json = Bodies.object(readWhole(body, limit), type);
        JsonValue events = json.get("events");
        if (!(events instanceof JsonArray list) || list.isEmpty()) {
            throw new ProblemException(Problem.invalid("field 'events' must be a non-empty array of append bodies"));
        }
        if (list.size() > EventStore.MAX_BATCH_EVENTS) {
            throw new ProblemException(Problem.of(413, "payload-too-large", "Payload too large",
                    "a batch holds at most " + EventStore.MAX_BATCH_EVENTS + " events, got " + list.size()));
        }
        List<AppendRequest> requests = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof JsonObject o)) {
                throw new ProblemException(Problem.invalid("events[" + i + "] must be an object"));
            }
            if (o.containsKey("condition")) {
                throw new ProblemException(Problem.invalid("events[" + i + "].condition: a batch's condition goes on the"
                        + " batch (next to 'events'), and covers all of its events"));
            }
            try {
                JsonValue key = o.get("idempotencyKey");
                if (key != null && !(key instanceof JsonString)) {
                    throw new ProblemException(Problem.invalid("events[" + i + "].idempotencyKey must be a string"));
                }
                requests.add(AppendJson.parse(o, key == null ? null
                        : CloudEventsCodec.headerKey(((JsonString) key).getString())));
            } catch (io.batpak.engine.StoreException e) {
                throw new io.batpak.engine.StoreException(e.code(), "events[" + i + "]: " + e.getMessage(), e);
            }
        }
        return new Parsed(requests, QueryJson.condition(json, grants));
    }

    /** Bodies.read as it was: the whole body into one array, 413 past the limit. */
    private static byte[] readWhole(byte[] in, long limit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (in.length > limit) {
            throw new ProblemException(Problem.of(413, "payload-too-large", "Payload too large",
                    "request body exceeds the limit of " + limit + " bytes (batpak.max-request-body-bytes)"));
        }
        out.writeBytes(in);
        return out.toByteArray();
    }
}
