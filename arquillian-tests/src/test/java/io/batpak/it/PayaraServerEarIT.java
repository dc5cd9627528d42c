package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The EAR on a real Payara Server 6.2025.10 (the full distribution from Maven Central, unpacked by
 * the build): a domain created and started with asadmin, the EAR deployed with a plain
 * {@code asadmin deploy} (no properties, no JVM flags), checks against {@code /batpak}, the domain
 * restarted, the data checked, the domain stopped. The EAR is the build's own, with the test CDI
 * observer and probes added to its web module; requests carry the server's generated admin token.
 *
 * <p>No gate: on Payara Server the store's {@code GateChain} (in the EJB module) found no gate bean,
 * neither in the web module nor in a {@code lib/} bean archive (both tried here; README, "Deploying
 * the EAR"). Gates are HttpContractIT's, on Payara Micro, until that is solved.
 *
 * <p>The REST resources are {@code @RolesAllowed}; in an EAR, Payara Server 6.2025.10 checks those
 * with its own JAX-RS filter whatever {@code payara-web.xml} says, through Jakarta Security, which
 * {@code io.batpak.web.ContainerCaller} answers from the bearer token (see there). The probe
 * endpoints cover the channels, the CDI observer and the EJB facade inside JTA transactions.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PayaraServerEarIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(5);
    private static PayaraServer server;
    private static Path dataDir;
    private static Http http;

    @BeforeAll
    static void startDomainAndDeploy() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("batpak.skipServerITs"), "batpak.skipServerITs");
        Path home = Path.of(System.getProperty("payara.serverHome", "target/payara-server/payara6"));
        File ear = new File(System.getProperty("batpak.ear", "../ear/target/batpak-ear-0.1.0-SNAPSHOT.ear"));
        assertTrue(Files.isDirectory(home), "no Payara Server at " + home + " (run through mvn verify)");
        assertTrue(ear.isFile(), "no EAR at " + ear + " (run through mvn verify)");
        Path work = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "payara-server-" + RUN);
        dataDir = work.resolve("data");
        Files.createDirectories(dataDir);
        File testEar = withTestBeans(ear, work.resolve("batpak-it.ear").toFile());
        server = new PayaraServer(home, work, dataDir);
        server.createDomain();
        server.start();
        server.deploy(testEar, "batpak");
        awaitReady();
        http = new Http(server.base("/batpak").resolve("api/v1/"), Http.adminToken(dataDir));
    }

    @AfterAll
    static void stopDomain() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /** The build's EAR with the test probes and CDI observer added to its web module. */
    private static File withTestBeans(File ear, File out) {
        EnterpriseArchive e = ShrinkWrap.create(ZipImporter.class, "batpak.ear").importFrom(ear).as(EnterpriseArchive.class);
        ArchivePath warPath = e.getContent(p -> p.get().endsWith(".war")).keySet().iterator().next();
        WebArchive war;
        try (InputStream in = e.get(warPath).getAsset().openStream()) {
            war = ShrinkWrap.create(ZipImporter.class, warPath.get().substring(1)).importFrom(in).as(WebArchive.class);
        } catch (java.io.IOException io) {
            throw new AssertionError(io);
        }
        war.addClasses(Probes.class, ProbeResource.class, TxProbeResource.class);
        e.delete(warPath);
        e.addAsModule(war);
        e.as(ZipExporter.class).exportTo(out, true);
        return out;
    }

    /** MicroProfile Health is the server's, at its root (/health), not under the application's context root. */
    private static Http ops() {
        return new Http(server.base(""));
    }

    private static void awaitReady() throws Exception {
        Http ops = ops();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (ops.get("health/ready").status() == 200) {
                    return;
                }
            } catch (AssertionError notYet) {
                // connection refused while it starts
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("not ready within " + READY_TIMEOUT + "; see " + server.serverLog());
    }

    private static String body(String entity, int kind, String payload) {
        return "{\"entity\":\"" + entity + "\",\"scope\":\"ps:" + RUN + "\",\"kind\":" + kind + ",\"payload\":" + payload
                + "}";
    }

    @Test
    @Order(1)
    void healthIsReadyAtTheServerRoot() {
        Http.Reply ready = ops().get("health/ready");
        assertEquals(200, ready.status(), ready::toString);
        assertTrue(ready.text().contains("batpak-store"), ready::toString);
    }

    @Test
    @Order(2)
    void appendThroughTheChannelReachesTheObserverAndTheOutgoingChannel() throws Exception {
        Http.Reply ack = http.post("_probe/append", body("rm:" + RUN, 0xF001, "1").getBytes(StandardCharsets.UTF_8),
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
        JsonObject commit = tx("commit", "tx-commit:" + RUN);
        assertTrue(commit.getBoolean("heldBack"), () -> "nothing stored before the commit: " + commit);
        assertEquals("appended:0", commit.getString("result"));
        assertEquals(before + 1, global());
        JsonObject rollback = tx("rollback", "tx-rollback:" + RUN);
        assertTrue(rollback.getBoolean("heldBack"), rollback::toString);
        assertEquals("discarded:TransactionNotCommittedException", rollback.getString("result"));
        assertEquals(before + 1, global(), "a rolled-back transaction appends nothing");
        assertEquals("refused:EJBTransactionRequiredException", tx("none", "tx-none:" + RUN).getString("result"));
    }

    @Test
    @Order(4)
    void restAppendReadCasAndIdempotency() {
        String e = "player:" + RUN;
        Http.Reply r = http.post("events", body(e, 0xF001, "{\"x\":10}"));
        assertEquals(201, r.status(), r::toString);
        JsonObject ev = http.get("events/" + r.json().getString("eventId")).json();
        assertEquals(e, ev.getString("entity"));
        assertEquals(10, ev.getJsonObject("payload").getInt("x"));
        Http.Reply conflict = http.post("events", withExpected(body(e, 0xF001, "2"), 5));
        assertEquals(409, conflict.status(), conflict::toString);
        assertEquals("sequence-mismatch", conflict.json().getString("code"));
        assertEquals(201, http.post("events", withExpected(body(e, 0xF001, "3"), 0)).status());
        String k = "idem:" + RUN;
        Http.Reply first = http.post("events", body(k, 0xF001, "1"), "Idempotency-Key", "key-" + RUN);
        Http.Reply again = http.post("events", body(k, 0xF001, "1"), "Idempotency-Key", "key-" + RUN);
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
        String a = "batch:" + RUN;
        Http.Reply good = http.post("batches", "{\"events\":[" + body(a, 0xF001, "1") + "," + body(a, 0xF001, "2") + "]}");
        assertEquals(201, good.status(), good::toString);
        assertEquals(2, count(a));
        String b = "batch-b:" + RUN;
        Http.Reply conflict = http.post("batches", "{\"events\":[" + body(b, 0xF001, "1") + ","
                + withExpected(body(a, 0xF001, "3"), 0) + "]}");
        assertEquals(409, conflict.status(), conflict::toString);
        assertEquals(0, count(b), "a batch refused for one event's CAS stores none of its events");
    }

    @Test
    @Order(6)
    void restSseCatchesUpThenResumes() throws Exception {
        String e = "sse:" + RUN;
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
    @Order(7)
    void dataSurvivesADomainRestart() throws Exception {
        long before = global();
        server.stop();
        server.start();
        awaitReady();
        long after = global();
        assertTrue(after >= before, () -> "every event is back after stop-domain + start-domain: " + before + " → " + after);
        assertEquals("appended:1", tx("commit", "tx-commit:" + RUN).getString("result"),
                "the entity's sequence continues where it was");
        assertEquals(2, count("batch:" + RUN), "REST-appended events are back too");
    }

    private static String withExpected(String body, long expected) {
        return body.substring(0, body.length() - 1) + ",\"expectedSequence\":" + expected + "}";
    }

    private static int count(String entity) {
        Http.Reply r = http.get("entities/" + entity + "/events");
        assertEquals(200, r.status(), r::toString);
        return r.json().getJsonArray("events").size();
    }

    private static List<Long> readSse(String path, String lastEventId, int n) throws Exception {
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

    private static long global() {
        Http.Reply r = http.get("_probe/tx/global");
        assertEquals(200, r.status(), r::toString);
        return Long.parseLong(r.text().trim());
    }

    private static JsonObject tx(String outcome, String entity) {
        Http.Reply r = http.post("_probe/tx/" + outcome, entity.getBytes(StandardCharsets.UTF_8), "text/plain");
        assertEquals(200, r.status(), r::toString);
        return r.json();
    }

    private static List<Long> probe(String name) {
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
