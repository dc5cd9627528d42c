package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.it.app.ExampleGate;
import io.batpak.it.app.FirstGate;
import io.batpak.it.app.ProbeResource;
import io.batpak.it.app.Probes;
import io.batpak.it.app.TxProbeResource;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;
import org.jboss.shrinkwrap.api.ArchivePath;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.EnterpriseArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The contract subset each application server runs against the build's archive (PayaraServerEarIT:
 * the EAR; WildFlyWarIT: the WildFly WAR): health ready, append and read, CAS, idempotency, batch
 * atomicity, SSE catch-up and resume, a CDI observer, the Reactive Messaging channels, two gate
 * beans of the web module, the EJB facade inside JTA transactions, and the data after a server
 * restart. A subclass starts its server, deploys the archive with the test beans
 * ({@link #earWithTestBeans}, {@link #warWithTestBeans}), sets {@link #http} and answers the three
 * hooks below.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ServerContract {
    protected static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    protected final String run = UUID.randomUUID().toString().substring(0, 8);
    /** The application's API, {@code …/batpak/api/v1/}, with the admin token. */
    protected Http http;

    /** Where the server serves MicroProfile Health ({@code health/ready} below it). */
    protected abstract Http ops();

    /** Stops the server the way an operator does and starts it again, the archive still deployed. */
    protected abstract void restartServer() throws Exception;

    /** The file to read when something fails. */
    protected abstract String serverLog();

    /**
     * The build's EAR with the test probes, the CDI observer and two gates added to its web module.
     * The gates live in the web module on purpose: the store's GateChain is in the EJB module, which
     * cannot see the web module's classes, and the gates must take effect anyway.
     */
    static File earWithTestBeans(File ear, File out) {
        EnterpriseArchive e = ShrinkWrap.create(ZipImporter.class, "batpak.ear").importFrom(ear).as(EnterpriseArchive.class);
        ArchivePath warPath = e.getContent(p -> p.get().endsWith(".war")).keySet().iterator().next();
        WebArchive war;
        try (InputStream in = e.get(warPath).getAsset().openStream()) {
            war = ShrinkWrap.create(ZipImporter.class, warPath.get().substring(1)).importFrom(in).as(WebArchive.class);
        } catch (java.io.IOException io) {
            throw new AssertionError(io);
        }
        e.delete(warPath);
        e.addAsModule(withTestBeans(war));
        e.as(ZipExporter.class).exportTo(out, true);
        return out;
    }

    /** The build's WAR with the same test beans in WEB-INF/classes. */
    static File warWithTestBeans(File war, File out) {
        withTestBeans(ShrinkWrap.create(ZipImporter.class, "batpak.war").importFrom(war).as(WebArchive.class))
                .as(ZipExporter.class).exportTo(out, true);
        return out;
    }

    private static WebArchive withTestBeans(WebArchive war) {
        return war.addClasses(Probes.class, ProbeResource.class, TxProbeResource.class, ExampleGate.class, FirstGate.class);
    }

    /** Polls {@code health/ready} until it answers 200. */
    protected void awaitReady() throws Exception {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (ops().get("health/ready").status() == 200) {
                    return;
                }
            } catch (AssertionError notYet) {
                // connection refused while it starts
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("not ready within " + READY_TIMEOUT + "; see " + serverLog());
    }

    private String body(String entity, int kind, String payload) {
        return "{\"entity\":\"" + entity + "\",\"scope\":\"srv:" + run + "\",\"kind\":" + kind + ",\"payload\":" + payload
                + "}";
    }

    @Test
    @Order(1)
    void healthIsReady() {
        Http.Reply ready = ops().get("health/ready");
        assertEquals(200, ready.status(), ready::toString);
        assertTrue(ready.text().contains("batpak-store"), ready::toString);
    }

    @Test
    @Order(2)
    void appendThroughTheChannelReachesTheObserverAndTheOutgoingChannel() throws Exception {
        Http.Reply ack = http.post("_probe/append", body("rm:" + run, 0xF001, "1").getBytes(StandardCharsets.UTF_8),
                "text/plain");
        assertEquals("ack", ack.text(), ack::toString);
        long g = global();
        assertEventually(() -> probe("cdi").contains(g), "the CDI observer in the deployment sees the commit " + g);
        assertEventually(() -> probe("messaging").contains(g), "the batpak-events channel carries the commit " + g);
    }

    @Test
    @Order(3)
    void ejbFacadeAppendsOnlyAfterTheJtaTransactionCommits() {
        long before = global();
        JsonObject commit = tx("commit", "tx-commit:" + run);
        assertTrue(commit.getBoolean("heldBack"), () -> "nothing stored before the commit: " + commit);
        assertEquals("appended:0", commit.getString("result"));
        assertEquals(before + 1, global());
        JsonObject rollback = tx("rollback", "tx-rollback:" + run);
        assertTrue(rollback.getBoolean("heldBack"), rollback::toString);
        assertEquals("discarded:TransactionNotCommittedException", rollback.getString("result"));
        assertEquals(before + 1, global(), "a rolled-back transaction appends nothing");
        assertEquals("refused:EJBTransactionRequiredException", tx("none", "tx-none:" + run).getString("result"));
    }

    @Test
    @Order(4)
    void restAppendReadCasAndIdempotency() {
        String e = "player:" + run;
        Http.Reply r = http.post("events", body(e, 0xF001, "{\"x\":10}"));
        assertEquals(201, r.status(), r::toString);
        JsonObject ev = http.get("events/" + r.json().getString("eventId")).json();
        assertEquals(e, ev.getString("entity"));
        assertEquals(10, ev.getJsonObject("payload").getInt("x"));
        Http.Reply conflict = http.post("events", withExpected(body(e, 0xF001, "2"), 5));
        assertEquals(409, conflict.status(), conflict::toString);
        assertEquals("sequence-mismatch", conflict.json().getString("code"));
        assertEquals(201, http.post("events", withExpected(body(e, 0xF001, "3"), 0)).status());
        String k = "idem:" + run;
        Http.Reply first = http.post("events", body(k, 0xF001, "1"), "Idempotency-Key", "key-" + run);
        Http.Reply again = http.post("events", body(k, 0xF001, "1"), "Idempotency-Key", "key-" + run);
        assertEquals(201, first.status(), first::toString);
        assertEquals(first.json().getString("eventId"), again.json().getString("eventId"), "a repeat replays the receipt");
        assertEquals(1, count(k));
        Http.Reply anonymous = http.get("events?limit=1", "Authorization", null);
        assertEquals(401, anonymous.status(), anonymous::toString);
        assertEquals("unauthenticated", anonymous.json().getString("code"), "refusals stay batpak's problem+json");
    }

    @Test
    @Order(5)
    void restBatchIsAtomic() {
        String a = "batch:" + run;
        Http.Reply good = http.post("batches", "{\"events\":[" + body(a, 0xF001, "1") + "," + body(a, 0xF001, "2") + "]}");
        assertEquals(201, good.status(), good::toString);
        assertEquals(2, count(a));
        String b = "batch-b:" + run;
        Http.Reply conflict = http.post("batches", "{\"events\":[" + body(b, 0xF001, "1") + ","
                + withExpected(body(a, 0xF001, "3"), 0) + "]}");
        assertEquals(409, conflict.status(), conflict::toString);
        assertEquals(0, count(b), "a batch refused for one event's CAS stores none of its events");
    }

    @Test
    @Order(6)
    void gateBeansOfTheWebModuleRefuseInPriorityOrder() {
        String e = "forbidden:" + run;
        Http.Reply denied = http.post("events", body(e, 0xF001, "1"));
        assertEquals(422, denied.status(), () -> "the web module's ExampleGate refuses: " + denied);
        assertEquals("denied", denied.json().getString("code"));
        assertEquals("no-forbidden-entities", denied.json().getString("gate"));
        assertEquals(0, count(e), "a denied append stores nothing");
        Http.Reply first = http.post("events", body("forbidden:first-" + run, 0xF001, "1"));
        assertEquals(422, first.status(), first::toString);
        assertEquals("first-gate", first.json().getString("gate"), "gates run in ascending @Priority, first denial wins");
        String b = "gated-batch:" + run;
        Http.Reply batch = http.post("batches", "{\"events\":[" + body(b, 0xF001, "1") + "," + body(e, 0xF001, "2") + "]}");
        assertEquals(422, batch.status(), batch::toString);
        assertEquals(0, count(b), "one denied event refuses the whole batch");
        Http.Reply channel = http.post("_probe/append", body(e, 0xF001, "1").getBytes(StandardCharsets.UTF_8),
                "text/plain");
        assertTrue(channel.text().startsWith("nack"), () -> "the batpak-append channel passes the gates too: " + channel);
    }

    @Test
    @Order(7)
    void sseCatchesUpThenResumes() throws Exception {
        String e = "sse:" + run;
        List<Long> gseqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            gseqs.add(http.post("events", body(e, 0xF001, "" + i)).json().getJsonNumber("globalSequence").longValue());
        }
        List<Long> first = readSse("subscribe?entityPrefix=" + e + "&after=0", null, 3);
        assertEquals(gseqs.subList(0, 3), first, "catch-up from after=0");
        List<Long> resumed = readSse("subscribe?entityPrefix=" + e + "&after=0", String.valueOf(first.get(2)), 2);
        assertEquals(gseqs.subList(3, 5), resumed, "resume after Last-Event-ID");
    }

    @Test
    @Order(8)
    void dataSurvivesAServerRestart() throws Exception {
        long before = global();
        restartServer();
        awaitReady();
        long after = global();
        assertTrue(after >= before, () -> "every event is back after the restart: " + before + " → " + after);
        assertEquals("appended:1", tx("commit", "tx-commit:" + run).getString("result"),
                "the entity's sequence continues where it was");
        assertEquals(2, count("batch:" + run), "REST-appended events are back too");
        assertEquals(422, http.post("events", body("forbidden:" + run, 0xF001, "1")).status(), "the gates still run");
    }

    private static String withExpected(String body, long expected) {
        return body.substring(0, body.length() - 1) + ",\"expectedSequence\":" + expected + "}";
    }

    private int count(String entity) {
        Http.Reply r = http.get("entities/" + entity + "/events");
        assertEquals(200, r.status(), r::toString);
        return r.json().getJsonArray("events").size();
    }

    private List<Long> readSse(String path, String lastEventId, int n) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(http.uri(path)).header("Accept", "text/event-stream")
                .header("Authorization", http.authorization()).GET();
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> r = http.client().send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        List<Long> ids = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String line;
            while (ids.size() < n && System.nanoTime() < deadline && (line = in.readLine()) != null) {
                if (line.startsWith("id:")) {
                    ids.add(Long.parseLong(line.substring(3).trim()));
                }
            }
        }
        return ids;
    }

    private long global() {
        Http.Reply r = http.get("_probe/tx/global");
        assertEquals(200, r.status(), r::toString);
        return Long.parseLong(r.text().trim());
    }

    private JsonObject tx(String outcome, String entity) {
        Http.Reply r = http.post("_probe/tx/" + outcome, entity.getBytes(StandardCharsets.UTF_8), "text/plain");
        assertEquals(200, r.status(), r::toString);
        return r.json();
    }

    private List<Long> probe(String name) {
        List<Long> out = new ArrayList<>();
        for (jakarta.json.JsonValue v : (jakarta.json.JsonArray) http.get("_probe/" + name).structure()) {
            out.add(((jakarta.json.JsonNumber) v).longValue());
        }
        return out;
    }

    private static void assertEventually(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.get()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what);
    }
}
