package io.batpak.web;

import io.batpak.ee.AppendJson;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code "events"} of a batch body, turned into append requests one element at a time as a
 * streaming reader meets them ({@link BatchBodies}), so no tree of the whole batch is ever built.
 * Its answer ({@link #requests()}) is the one the whole body would get: not a non-empty array is
 * 400, more than {@link EventStore#MAX_BATCH_EVENTS} is 413 (counted to the end; nothing more is
 * kept past the limit), else the first element's error (a 400 naming {@code events[i]}), else the
 * requests. Owned by the request thread reading the body; not thread-safe.
 */
final class BatchEvents {
    /** True if the field's value is an array. */
    private final boolean array;
    private final List<AppendRequest> requests = new ArrayList<>();
    /** Elements met so far. */
    private int count;
    /** The first element's failure, answered once the whole body is known to be well-formed. */
    private RuntimeException firstError;

    private BatchEvents(boolean array) {
        this.array = array;
    }

    /** The field's value is an array: its elements follow. */
    static BatchEvents array() {
        return new BatchEvents(true);
    }

    /** The field is absent, or its value is not an array. */
    static BatchEvents notArray() {
        return new BatchEvents(false);
    }

    /**
     * True if the next element is still needed whole (to check and turn into a request); false once
     * an element failed or the batch is over the limit, when it need only be read and counted.
     */
    boolean wants() {
        return firstError == null && count < EventStore.MAX_BATCH_EVENTS;
    }

    /** The next element (any non-object may be passed as {@code JsonValue.NULL}: it fails alike). */
    void add(JsonValue element) {
        int i = count++;
        if (!(firstError == null && i < EventStore.MAX_BATCH_EVENTS)) {
            return;
        }
        try {
            requests.add(request(element, i));
        } catch (RuntimeException e) {
            firstError = e;
            requests.clear();
        }
    }

    /** The next element, read but not needed ({@link #wants()} was false). */
    void skipped() {
        count++;
        if (count > EventStore.MAX_BATCH_EVENTS) {
            requests.clear(); // the answer is the 413 now: free what was parsed
        }
    }

    /** The batch's requests, or its refusal. */
    List<AppendRequest> requests() {
        if (!array || count == 0) {
            throw new ProblemException(Problem.invalid("field 'events' must be a non-empty array of append bodies"));
        }
        if (count > EventStore.MAX_BATCH_EVENTS) {
            throw new ProblemException(Problem.of(413, "payload-too-large", "Payload too large",
                    "a batch holds at most " + EventStore.MAX_BATCH_EVENTS + " events, got " + count));
        }
        if (firstError != null) {
            throw firstError;
        }
        return requests;
    }

    /** One element of {@code events} as an append request; failures name {@code events[i]}. */
    private static AppendRequest request(JsonValue element, int i) {
        if (!(element instanceof JsonObject o)) {
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
            return AppendJson.parse(o, key == null ? null : CloudEventsCodec.headerKey(((JsonString) key).getString()));
        } catch (StoreException e) {
            throw new StoreException(e.code(), "events[" + i + "]: " + e.getMessage(), e);
        }
    }
}
