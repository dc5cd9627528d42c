package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.AppendJson;
import io.batpak.engine.AppendRequest;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A {@code POST /batches} body of 1,000 events (200-byte JSON payloads, about 290 KB as JSON) parsed
 * into append requests two ways: {@code tree}, as BatchesResource did before issue 17 (the body
 * read whole into a byte[], one JSON tree of it, then each event), and {@code streamed}
 * ({@link BatchBodies}: parsed from the stream, one event object at a time). Run with
 * {@code -prof gc}: {@code gc.alloc.rate.norm} is the bytes allocated per batch. In package
 * io.batpak.web (a split package, benchmarks only) because BatchBodies is package-private.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@State(Scope.Benchmark)
public class BatchParseBenchmark {
    static final int EVENTS = 1_000;
    static final long LIMIT = 16L << 20;
    static final MediaType MSGPACK = new MediaType("application", "msgpack");

    @Param({"json", "msgpack"})
    String format;
    byte[] body;
    MediaType type;

    @Setup
    public void body() {
        JsonArrayBuilder events = JSON.createArrayBuilder();
        String filler = "x".repeat(170);
        for (int i = 0; i < EVENTS; i++) {
            events.add(JSON.createObjectBuilder().add("entity", "order:" + i).add("scope", "shop").add("kind", 61441)
                    .add("payload", JSON.createObjectBuilder().add("n", i).add("note", filler)));
        }
        JsonObject batch = JSON.createObjectBuilder().add("events", events).build();
        boolean msgpack = format.equals("msgpack");
        body = msgpack ? MsgpackJson.encode(batch) : batch.toString().getBytes(StandardCharsets.UTF_8);
        type = msgpack ? MSGPACK : MediaType.APPLICATION_JSON_TYPE;
    }

    @Benchmark
    public List<AppendRequest> streamed() {
        return BatchBodies.read(LimitedBody.open(new ByteArrayInputStream(body), null, LIMIT), type).requests();
    }

    /** BatchesResource.append's parse before issue 17, verbatim but for the answers it did not reach. */
    @Benchmark
    public List<AppendRequest> tree() {
        byte[] bytes = Bodies.read(new ByteArrayInputStream(body), null, LIMIT);
        JsonObject json = Bodies.object(bytes, type);
        JsonArray list = json.getJsonArray("events");
        List<AppendRequest> requests = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonObject o = (JsonObject) list.get(i);
            if (o.containsKey("condition")) {
                throw new IllegalStateException("events[" + i + "].condition");
            }
            JsonValue key = o.get("idempotencyKey");
            requests.add(AppendJson.parse(o, key == null ? null : CloudEventsCodec.headerKey(((JsonString) key).getString())));
        }
        return requests;
    }
}
