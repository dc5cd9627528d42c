package io.batpak.web;

import io.batpak.engine.EventStore;
import io.batpak.engine.WatermarkLevel;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.List;

/**
 * An append's {@code Prefer: wait=accepted|durable|visible}: after the append, the answer waits
 * until its last event has reached that level, at most {@code batpak.limits.max-wait-ms}. Reached,
 * the answer carries {@code Preference-Applied: wait=<level>}; not reached in time, the status is
 * 202 (the events are stored; they just have not reached the level yet), never an error a client
 * might retry into a duplicate. Stateless.
 */
final class WaitPreference {
    private WaitPreference() {
    }

    /** The level the request asks to wait for, or null. An unknown level is 400. */
    static WatermarkLevel of(HttpHeaders headers) {
        List<String> prefer = headers.getRequestHeader("Prefer");
        if (prefer == null) {
            return null;
        }
        for (String header : prefer) {
            for (String token : header.split("[,;]")) {
                String t = token.trim();
                if (t.regionMatches(true, 0, "wait=", 0, 5)) {
                    return WatermarkLevel.parse(t.substring(5).replace("\"", "").trim());
                }
            }
        }
        return null;
    }

    /**
     * Whether answering with {@code level} may wait after the append's future completes: only for
     * durable or visible when the store does not fsync every commit (under EVERY_COMMIT an append
     * completes once it is durable and visible).
     */
    static boolean mayWait(WatermarkLevel level, EventStore store) {
        return (level == WatermarkLevel.DURABLE || level == WatermarkLevel.VISIBLE)
                && store.config().syncMode() != io.batpak.engine.SyncMode.EVERY_COMMIT;
    }

    /** Waits for {@code level} at {@code position} and marks the answer; {@code level} null leaves it as it is. */
    static Response.ResponseBuilder apply(Response.ResponseBuilder answer, EventStore store, WatermarkLevel level,
                                          long position, long maxWaitMs) {
        if (level == null) {
            return answer;
        }
        if (store.awaitWatermark(position, level, maxWaitMs)) {
            return answer.header("Preference-Applied", "wait=" + level.name().toLowerCase(java.util.Locale.ROOT));
        }
        return answer.status(202);
    }
}
