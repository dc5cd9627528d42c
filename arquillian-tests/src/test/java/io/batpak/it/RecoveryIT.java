package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One server on one data directory (64 KiB segments) taken through what operations meet, in
 * order, so the module pays for four boots instead of one per scenario:
 * <ol>
 * <li>SSE live from now and across three forced reconnects (Last-Event-ID) while 8 clients
 *     append: ids strictly increasing, none skipped, none repeated, nothing from before the
 *     subscription;</li>
 * <li>streams and consumer groups across SIGKILL: every acknowledged delivery stays acknowledged,
 *     every unacknowledged one is delivered again, offsets gap-free before and after;</li>
 * <li>a flipped byte in a sealed segment: the next start refuses the data (readiness not UP,
 *     {@code CorruptLogException} naming the file and the offset), the {@code Quarantine}
 *     command line repairs it (exit codes 2 for bad usage, 0 for dry run and repair, 1 while the
 *     store runs), and the repaired store serves every event before the damage, unchanged.</li>
 * </ol>
 * Each step depends on the ones before it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryIT {
    private static final Duration READ = Duration.ofSeconds(60);
    private static final int APPENDERS = 8;
    private static final int PER_APPENDER = 40;
    private static final int KIND = 61441;

    private final Path data = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "recovery-" + UUID.randomUUID());
    private PayaraProcess server;
    /** Every event acknowledged so far: event id to hash. */
    private final Map<String, String> hashById = new ConcurrentHashMap<>();
    private final Map<String, Long> globalById = new ConcurrentHashMap<>();

    @BeforeAll
    void boot() throws Exception {
        server = new PayaraProcess(data, data.resolveSibling(data.getFileName() + "-payara.log"),
                List.of("-Dbatpak.segment-max-bytes=65536"));
        server.start();
    }

    @AfterAll
    void shutDown() throws InterruptedException {
        if (server != null) {
            server.kill();
        }
    }

    private Http http() {
        return server.http();
    }

    private JsonObject append(Http http, String entity, String payload) {
        Http.Reply r = http.post("events", "{\"entity\":\"" + entity + "\",\"scope\":\"rec\",\"kind\":" + KIND + ",\"payload\":" + payload + "}");
        assertEquals(201, r.status(), () -> "append to " + entity + ": " + r);
        JsonObject o = r.json();
        hashById.put(o.getString("eventId"), o.getString("hash"));
        globalById.put(o.getString("eventId"), o.getJsonNumber("globalSequence").longValue());
        return o;
    }

    @Test
    @Order(1)
    void sseIsLiveFromNowAndNeverSkipsOrRepeatsAcrossReconnectsUnderConcurrentAppends() throws Exception {
        Http http = http();
        String prefix = "sse-" + Long.toHexString(System.nanoTime()) + ":";
        Set<Long> before = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            before.add(append(http, prefix + "before", "{\"i\":" + i + "}").getJsonNumber("globalSequence").longValue());
        }
        String path = "subscribe?entityPrefix=" + prefix;
        List<Long> seen = new ArrayList<>();
        Set<Long> expected = ConcurrentHashMap.newKeySet();
        List<Thread> appenders = new ArrayList<>();
        List<String> appendFailures = java.util.Collections.synchronizedList(new ArrayList<>());
        int reconnects = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        SseStream sse = SseStream.open(http.client(), http.uri(path), http.authorization(), null, READ);
        try {
            assertEquals(200, sse.status(), "subscribe status");
            // Without after or Last-Event-ID the stream is live from now: a marker appended after it opened
            // is the first event it may deliver, and nothing appended before may come.
            long marker = append(http, prefix + "marker", "{}").getJsonNumber("globalSequence").longValue();
            expected.add(marker);
            for (int t = 0; t < APPENDERS; t++) {
                int me = t;
                Thread a = new Thread(() -> {
                    Http own = server.http();
                    for (int i = 0; i < PER_APPENDER; i++) {
                        try {
                            expected.add(append(own, prefix + "a" + me, "{\"t\":" + me + ",\"i\":" + i + "}")
                                    .getJsonNumber("globalSequence").longValue());
                        } catch (AssertionError e) {
                            appendFailures.add(String.valueOf(e.getMessage()));
                        }
                    }
                }, "sse-appender-" + t);
                a.start();
                appenders.add(a);
            }
            int total = 1 + APPENDERS * PER_APPENDER;
            while (seen.size() < total) {
                SseStream.Message m = sse.next(deadline, "SSE after " + seen.size() + " of " + total + " events, " + reconnects
                        + " reconnects");
                if (m.id() == null) {
                    continue;
                }
                long id = Long.parseLong(m.id());
                JsonObject event = Json.createReader(new StringReader(m.data())).readObject();
                assertEquals(id, event.getJsonNumber("globalSequence").longValue(), "SSE id is the event's globalSequence");
                assertTrue(event.getString("entity").startsWith(prefix), "an event outside the filter: " + event);
                assertFalse(before.contains(id), "an event appended before the live subscription opened: " + id);
                if (!seen.isEmpty()) {
                    assertTrue(id > seen.get(seen.size() - 1), "ids not strictly increasing (repeat or reorder) after "
                            + reconnects + " reconnects: " + seen.get(seen.size() - 1) + " then " + id);
                }
                seen.add(id);
                // Three forced reconnects while the appenders run: drop the connection, resume from the last id.
                if (reconnects < 3 && seen.size() == (reconnects + 1) * total / 4) {
                    sse.close();
                    reconnects++;
                    sse = SseStream.open(http.client(), http.uri(path), http.authorization(), String.valueOf(id), READ);
                    assertEquals(200, sse.status(), "resubscribe status");
                }
            }
            // Nothing more than the expected events may follow.
            SseStream.Message extra = sse.poll(System.nanoTime() + 1_000_000_000L);
            assertTrue(extra == null || extra.id() == null, () -> "an event after the last expected one: " + extra);
        } finally {
            sse.close();
        }
        for (Thread a : appenders) {
            a.join(60_000);
            assertFalse(a.isAlive(), a.getName() + " hangs");
        }
        assertTrue(appendFailures.isEmpty(), "appends failed: " + appendFailures);
        assertEquals(3, reconnects, "forced reconnects");
        assertEquals(new TreeSet<>(expected), new TreeSet<>(seen), "the stream must deliver exactly the events appended after it"
                + " opened: none skipped at a reconnect, none repeated");
    }

    // ---- streams and consumer groups across SIGKILL ----

    private record Delivery(String id, int partition, long offset) {
    }

    private static List<Delivery> poll(Http http, String stream, String group, int waitMs) {
        Http.Reply r = http.post("streams/" + stream + "/groups/" + group + "/poll",
                "{\"consumer\":\"c1\",\"max\":1000,\"waitMs\":" + waitMs + "}");
        assertEquals(200, r.status(), () -> "poll: " + r);
        List<Delivery> out = new ArrayList<>();
        r.json().getJsonArray("deliveries").forEach(v -> {
            JsonObject d = v.asJsonObject();
            out.add(new Delivery(d.getString("deliveryId"), d.getInt("partition"), d.getJsonNumber("offset").longValue()));
        });
        return out;
    }

    private static void ack(Http http, String stream, String group, List<Delivery> ds) {
        StringBuilder ids = new StringBuilder();
        for (Delivery d : ds) {
            ids.append(ids.length() == 0 ? "" : ",").append('"').append(d.id()).append('"');
        }
        Http.Reply r = http.post("streams/" + stream + "/groups/" + group + "/ack", "{\"deliveryIds\":[" + ids + "]}");
        assertEquals(200, r.status(), () -> "ack: " + r);
        assertEquals(ds.size(), r.json().getInt("acked"), () -> "every delivery acked: " + r);
    }

    @Test
    @Order(2)
    void groupAcksAndStreamOffsetsSurviveSigkill() throws Exception {
        Http http = http();
        String stream = "rec-" + Long.toHexString(System.nanoTime());
        String group = "g";
        Http.Reply created = http.send(java.net.http.HttpRequest.newBuilder(http.uri("streams/" + stream))
                .header("Content-Type", "application/json").PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"partitions\":2}")));
        assertEquals(201, created.status(), () -> "create stream: " + created);
        Http.Reply configured = http.send(java.net.http.HttpRequest.newBuilder(http.uri("streams/" + stream + "/groups/" + group))
                .header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"ackTimeoutMs\":600000,\"maxInFlight\":1000,\"start\":\"earliest\"}")));
        assertEquals(2, configured.status() / 100, () -> "configure group: " + configured);
        Map<Integer, List<Long>> offsets = new HashMap<>();
        int published = 60;
        for (int i = 0; i < published; i++) {
            Http.Reply r = http.post("streams/" + stream + "/events", "{\"key\":\"k" + i + "\",\"kind\":" + KIND + ",\"payload\":{\"i\":" + i + "}}");
            assertEquals(201, r.status(), () -> "publish: " + r);
            offsets.computeIfAbsent(r.json().getInt("partition"), p -> new ArrayList<>()).add(r.json().getJsonNumber("offset").longValue());
        }
        assertGapFree(offsets, "offsets as published");

        List<Delivery> delivered = new ArrayList<>();
        for (int attempt = 0; attempt < 20 && delivered.size() < published; attempt++) {
            delivered.addAll(poll(http, stream, group, 1000));
        }
        assertEquals(published, delivered.size(), "every published event delivered once");
        List<Delivery> toAck = new ArrayList<>();
        Set<String> unacked = new TreeSet<>();
        for (Delivery d : delivered) {
            if (d.offset() % 3 == 0) {
                unacked.add(d.partition() + "/" + d.offset());
            } else {
                toAck.add(d);
            }
        }
        ack(http, stream, group, toAck.subList(0, toAck.size() / 2));
        ack(http, stream, group, toAck.subList(toAck.size() / 2, toAck.size()));

        server.kill(); // the acks were answered: they must be durable; the rest is in flight
        server.start();
        http = http();

        List<Delivery> again = new ArrayList<>();
        for (int attempt = 0; attempt < 20 && again.size() < unacked.size(); attempt++) {
            again.addAll(poll(http, stream, group, 1000));
        }
        List<Delivery> more = poll(http, stream, group, 1000);
        again.addAll(more);
        Set<String> redelivered = new TreeSet<>();
        for (Delivery d : again) {
            assertTrue(redelivered.add(d.partition() + "/" + d.offset()), "delivered twice after the restart: " + d);
        }
        assertEquals(unacked, redelivered, "after SIGKILL exactly the unacknowledged deliveries come again (an acked one"
                + " redelivered, or an unacked one missing, is a failure)");
        ack(http, stream, group, again);
        JsonObject state = http.get("streams/" + stream + "/groups/" + group).json();
        for (var p : state.getJsonArray("partitions")) {
            JsonObject o = p.asJsonObject();
            int partition = o.getInt("partition");
            assertEquals(offsets.get(partition).size(), o.getJsonNumber("committedOffset").longValue(), "committed offset of " + o);
            assertEquals(0, o.getInt("lag"), "lag of " + o);
            assertEquals(0, o.getInt("inFlight"), "in flight of " + o);
        }
        for (int i = 0; i < 10; i++) {
            Http.Reply r = http.post("streams/" + stream + "/events", "{\"key\":\"after" + i + "\",\"kind\":" + KIND + ",\"payload\":{}}");
            assertEquals(201, r.status(), () -> "publish after the restart: " + r);
            offsets.computeIfAbsent(r.json().getInt("partition"), p -> new ArrayList<>()).add(r.json().getJsonNumber("offset").longValue());
        }
        assertGapFree(offsets, "offsets after the restart");
    }

    private static void assertGapFree(Map<Integer, List<Long>> offsets, String what) {
        offsets.forEach((p, list) -> {
            for (int i = 0; i < list.size(); i++) {
                assertEquals(i, list.get(i), what + ": partition " + p + " " + list);
            }
        });
    }

    // ---- damaged data, refused, quarantined, served again ----

    @Test
    @Order(3)
    void aDamagedSealedSegmentIsRefusedAtStartAndRepairedByQuarantine() throws Exception {
        Http http = http();
        for (int i = 0; i < 120; i++) {
            append(http, "rec:bulk-" + i % 5, "{\"i\":" + i + ",\"pad\":\"" + "b".repeat(1500) + "\"}");
        }
        Path lib = unpackWarLibraries(data.resolveSibling(data.getFileName() + "-lib"));
        assertEquals(2, quarantine(lib).exit(), "no data directory argument is bad usage");
        Tool locked = quarantine(lib, "--dry-run", data.toAbsolutePath().toString());
        assertEquals(1, locked.exit(), () -> "the tool must refuse while the store runs (it takes the lock): " + locked);

        // SIGKILL, not a clean stop: a clean close writes a checkpoint, and a start scans only the log after it.
        server.kill();
        assertFalse(Files.exists(data.resolve("index.ckpt")), "precondition: no checkpoint, so the next start scans every segment");
        List<Path> segments;
        try (var list = Files.list(data.resolve("segments"))) {
            segments = list.filter(p -> p.toString().endsWith(".fbat")).sorted().toList();
        }
        assertTrue(segments.size() >= 3, "precondition: several segments, got " + segments);
        Path damaged = segments.get(1);
        long at = Files.size(damaged) / 2;
        try (FileChannel ch = FileChannel.open(damaged, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5A)).rewind();
            ch.write(b, at);
        }

        long logStart = Files.size(server.log());
        server.launch();
        // The deployment fails with the CorruptLogException's message: "<file> at offset <n>: <what>".
        Pattern corrupt = Pattern.compile("(\\S*" + Pattern.quote(damaged.getFileName().toString()) + ") at offset (\\d+): (\\S[^\\n]*)");
        Matcher m = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            String log = Files.readString(server.log()).substring((int) logStart);
            m = corrupt.matcher(log);
            if (m.find() || !server.isAlive()) {
                break;
            }
            Thread.sleep(500);
        }
        assertTrue(m != null && m.find(0), "the start on damaged data must fail naming the file and offset; see " + server.log());
        long offset = Long.parseLong(m.group(2));
        assertTrue(offset > 0 && offset <= at, "the damaged frame starts at or before the flipped byte " + at + ": " + m.group());
        if (server.isAlive()) {
            Http.Reply ready = readiness();
            assertNotEquals(200, ready.status(), () -> "readiness must not be UP on data the store refused: " + ready);
            Http.Reply stats = http().get("stats");
            assertNotEquals(200, stats.status(), () -> "the API must not serve a store that did not open: " + stats);
        }
        server.kill();

        List<String> segmentsBefore = names(data.resolve("segments"));
        Tool dry = quarantine(lib, "--dry-run", data.toAbsolutePath().toString());
        assertEquals(0, dry.exit(), () -> "dry run: " + dry);
        assertTrue(dry.out().contains("damage: ") && dry.out().contains(damaged.getFileName().toString())
                && dry.out().contains("would move"), () -> "dry run names the damage: " + dry);
        assertEquals(segmentsBefore, names(data.resolve("segments")), "a dry run moves nothing");
        Tool repair = quarantine(lib, data.toAbsolutePath().toString());
        assertEquals(0, repair.exit(), () -> "repair: " + repair);
        Matcher kept = Pattern.compile("kept events 1\\.\\.(\\d+)").matcher(repair.out());
        assertTrue(kept.find() && repair.out().contains("moved "), () -> "repair reports what it kept: " + repair);
        long keptEvents = Long.parseLong(kept.group(1));
        assertTrue(Files.isDirectory(data.resolve("quarantine")), "the damaged segment is kept in quarantine/");

        server.start();
        http = http();
        assertEquals(keptEvents, http.get("stats").json().getJsonNumber("globalSequence").longValue(), "events served after repair");
        int checked = 0;
        for (Map.Entry<String, Long> e : globalById.entrySet()) {
            if (e.getValue() <= keptEvents) {
                Http.Reply r = http.get("events/" + e.getKey());
                assertEquals(200, r.status(), () -> "event " + e.getKey() + " before the damage is gone after repair: " + r);
                assertEquals(hashById.get(e.getKey()), r.json().getString("hash"), "event altered by the repair: " + e.getKey());
                checked++;
            }
        }
        assertTrue(checked > 0, "no event before the damage to check");
        assertEquals(201, http.post("events", "{\"entity\":\"rec:after\",\"scope\":\"rec\",\"kind\":" + KIND + ",\"payload\":{}}")
                .status(), "the repaired store takes appends");
        assertEquals(1, quarantine(lib, data.toAbsolutePath().toString()).exit(), "the tool refuses while the repaired store runs");
    }

    private Http.Reply readiness() {
        return new Http(server.base().resolve("/")).get("health/ready");
    }

    private static List<String> names(Path dir) throws IOException {
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** The WAR's WEB-INF/lib jars, unpacked as OPERATIONS.md runs the tool "from an unpacked batpak.war". */
    private static Path unpackWarLibraries(Path target) throws IOException {
        Path war = Path.of(System.getProperty("batpak.war", "../web-module/target/batpak.war"));
        Files.createDirectories(target);
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(war))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().startsWith("WEB-INF/lib/") && e.getName().endsWith(".jar")) {
                    Files.copy(zip, target.resolve(Path.of(e.getName()).getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return target;
    }

    private record Tool(int exit, String out) {
    }

    private static Tool quarantine(Path lib, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", lib.toAbsolutePath() + "/*", "io.batpak.engine.log.Quarantine"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "Quarantine did not finish");
        return new Tool(p.exitValue(), out);
    }
}
