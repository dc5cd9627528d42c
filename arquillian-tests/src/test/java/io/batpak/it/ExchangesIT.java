package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.it.app.exchange.QuoteHandler;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Exchanges and RPC endpoints over HTTP (HTTP-API.md "Exchanges and RPC endpoints") against the real
 * WAR: fan-out to two SSE subscribers with different topic patterns, a subscriber that does not read
 * dropped with an {@code end} event while the publisher carries on, a call served by a CDI
 * {@code @EndpointHandler} bean ({@link QuoteHandler}), one served by an HTTP handler through
 * poll/reply, one that times out (504) and one with no handler (503). One deployment, whose
 * configuration ({@code exchanges/microprofile-config.properties}) sets a subscriber queue of 32
 * and room for 400 SSE streams; names are unique per run. It also holds the test that 300 SSE
 * streams (of {@code GET /subscribe}) open at once each get every event while the server's thread
 * count stays near where it was: SSE streams hold no thread while they wait, and this deployment's
 * limits leave room for them.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class ExchangesIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_MS = 60_000;

    @ArquillianResource
    URL baseUrl;
    private Http http;

    @Deployment(testable = false)
    static WebArchive deployment() {
        File war = new File(System.getProperty("batpak.war", "../web-module/target/batpak.war"));
        assertTrue(war.isFile(), "the WAR under test is missing: " + war + " (build web-module first)");
        return ShrinkWrap.createFromZipFile(WebArchive.class, war).addPackage(QuoteHandler.class.getPackage())
                .addAsResource("exchanges/microprofile-config.properties", "META-INF/microprofile-config.properties");
    }

    @BeforeEach
    void client() throws Exception {
        http = new Http(baseUrl.toURI().resolve("api/v1/"), Http.adminToken(Http.arquillianDataDir()));
    }

    private static long deadline() {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANG_GUARD_MS);
    }

    private int publish(String exchange, String topic, String payload) {
        Http.Reply r = http.post("exchanges/" + exchange + "/publish", "{\"topic\":\"" + topic + "\",\"payload\":"
                + payload + "}");
        assertEquals(200, r.status(), () -> "publish " + topic + ": " + r);
        return r.json().getInt("delivered");
    }

    private SseStream subscribe(String exchange, String pattern) throws Exception {
        SseStream s = SseStream.open(http.client(), http.uri("exchanges/" + exchange + "/subscribe?topic="
                + java.net.URLEncoder.encode(pattern, StandardCharsets.UTF_8)),
                http.authorization(), null, Duration.ofSeconds(30));
        assertEquals(200, s.status(), "subscribe " + pattern);
        return s;
    }

    private static JsonObject json(String text) {
        try (JsonReader r = Json.createReader(new StringReader(text))) {
            return r.readObject();
        }
    }

    private static String received(SseStream s, String what) throws InterruptedException {
        JsonObject m = json(s.next(deadline(), what).data());
        return m.getString("topic") + "=" + m.get("payload");
    }

    private static void assertProblem(Http.Reply r, int status, String code) {
        assertEquals(status, r.status(), () -> "expected " + status + " " + code + ", got " + r);
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"), () -> "not a problem: " + r);
        assertEquals(code, r.json().getString("code"), () -> "problem code: " + r);
    }

    @Test
    void twoSubscribersWithDifferentPatternsEachGetWhatMatches() throws Exception {
        String x = "shop-" + RUN;
        try (SseStream orders = subscribe(x, "orders.*"); SseStream eu = subscribe(x, "*.eu")) {
            assertEquals(2, publish(x, "orders.eu", "1"), "orders.eu matches both");
            assertEquals(1, publish(x, "orders.us", "2"), "orders.us matches orders.* only");
            assertEquals(1, publish(x, "payments.eu", "{\"amount\":3}"), "payments.eu matches *.eu only");
            assertEquals(0, publish(x, "payments.us", "4"), "payments.us matches neither");
            assertEquals(0, publish(x, "orders.eu.paris", "5"), "* is one segment");
            assertEquals("orders.eu=1", received(orders, "orders.* first"));
            assertEquals("orders.us=2", received(orders, "orders.* second"));
            assertEquals("orders.eu=1", received(eu, "*.eu first"));
            assertEquals("payments.eu={\"amount\":3}", received(eu, "*.eu second"));
            assertEquals(null, orders.poll(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300)),
                    "orders.* got a message it does not match");
        }
        assertProblem(http.get("exchanges/" + x + "/subscribe?topic=orders.%23.eu", "Accept", "text/event-stream"),
                400, "invalid-request");
        assertProblem(http.post("exchanges/" + x + "/publish", "{\"topic\":\"orders.*\",\"payload\":1}"), 400,
                "invalid-request");
    }

    @Test
    void aSubscriberThatDoesNotReadIsDroppedAndToldWhyWhileThePublisherCarriesOn() throws Exception {
        String x = "drop-" + RUN;
        String big = "\"" + "x".repeat(64 * 1024) + "\"";
        try (SseStream reader = subscribe(x, "#"); Socket stuck = new Socket()) {
            // A raw connection that reads nothing after its headers: once the socket buffers fill,
            // the server's SSE worker blocks and the subscription's queue (32) fills behind it. The
            // reading subscriber's queue is as small, so it must be served while that worker is stuck.
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress(baseUrl.getHost(), baseUrl.getPort()), 10_000);
            stuck.setSoTimeout((int) HANG_GUARD_MS);
            OutputStream out = stuck.getOutputStream();
            out.write(("GET " + http.uri("exchanges/" + x + "/subscribe").getRawPath() + " HTTP/1.1\r\nHost: "
                    + baseUrl.getHost() + "\r\nAccept: text/event-stream\r\nAuthorization: " + http.authorization()
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = stuck.getInputStream();
            String head = readUntil(in, "\r\n\r\n");
            assertTrue(head.startsWith("HTTP/1.1 200"), () -> "stuck subscriber's answer: " + head);
            int sent = 0;
            int delivered = 2;
            while (delivered == 2) {
                assertTrue(sent < 4000, "4000 messages of 64 KiB and the subscriber that reads nothing is not dropped");
                delivered = publish(x, "t", big);
                sent++;
            }
            assertEquals(1, delivered, "after the drop only the reading subscriber gets messages");
            assertEquals(1, publish(x, "t", "\"after\""), "the publisher is still served");
            sent++;
            // The dropped subscriber gets what was queued before the drop, then the reason, then the end.
            String rest = readUntil(in, "slow-subscriber");
            assertTrue(rest.contains("event: end") || rest.contains("event:end"), "no end event: "
                    + rest.substring(Math.max(0, rest.length() - 300)));
            for (int i = 0; i < sent - 1; i++) {
                String got = received(reader, "message " + i);
                assertTrue(got.equals("t=" + big), "the reading subscriber's message " + i + " differs: "
                        + got.substring(0, Math.min(80, got.length())));
            }
            assertEquals("t=\"after\"", received(reader, "the message after the drop"));
        }
    }

    /**
     * Reads until {@code marker} was seen (or the stream ends); returns what was read, as text. Fails
     * after {@link #HANG_GUARD_MS} in all: the socket's read timeout alone never ends a wait on a live
     * stream, whose keep-alive comments arrive every 15 s.
     */
    private static String readUntil(InputStream in, String marker) throws Exception {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        String tail = "";
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HANG_GUARD_MS);
        int n;
        while ((n = in.read(buf)) > 0) {
            assertTrue(System.nanoTime() < giveUp, () -> "no '" + marker + "' within " + HANG_GUARD_MS + " ms; the last "
                    + "bytes read: " + seen.toString(StandardCharsets.ISO_8859_1).substring(Math.max(0, seen.size() - 300)));
            seen.write(buf, 0, n);
            String chunk = tail + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            if (chunk.contains(marker)) {
                break;
            }
            tail = chunk.substring(Math.max(0, chunk.length() - marker.length()));
        }
        String text = seen.toString(StandardCharsets.ISO_8859_1);
        return text.length() > 1_000_000 ? text.substring(text.length() - 2_000) : text;
    }

    @Test
    void aCallServedByACdiBeanGetsItsReplyAndItsFailure() {
        Http.Reply r = http.post("endpoints/" + QuoteHandler.ENDPOINT + "/call",
                "{\"payload\":{\"sku\":\"A1\",\"qty\":3,\"price\":7},\"timeoutMs\":10000}");
        assertEquals(200, r.status(), r::toString);
        assertEquals(json("{\"sku\":\"A1\",\"total\":21}"), r.json().getJsonObject("payload"));
        Http.Reply failed = http.post("endpoints/" + QuoteHandler.ENDPOINT + "/call",
                "{\"payload\":{\"sku\":\"B2\",\"fail\":true}}");
        assertProblem(failed, 502, "handler-failed");
        assertTrue(failed.json().getString("detail").contains("no quote for sku B2"), failed::toString);
        assertProblem(http.post("endpoints/" + QuoteHandler.ENDPOINT + "/poll", "{\"handler\":\"h\"}"), 400,
                "invalid-request");
    }

    private JsonArray poll(String endpoint, String handler, long waitMs) {
        Http.Reply r = http.post("endpoints/" + endpoint + "/poll", "{\"handler\":\"" + handler + "\",\"waitMs\":"
                + waitMs + "}");
        assertEquals(200, r.status(), () -> "poll: " + r);
        return r.json().getJsonArray("calls");
    }

    private JsonObject reply(String endpoint, String callId, String payload) {
        Http.Reply r = http.post("endpoints/" + endpoint + "/reply", "{\"callId\":\"" + callId + "\",\"payload\":"
                + payload + "}");
        assertEquals(200, r.status(), () -> "reply: " + r);
        return r.json();
    }

    private CompletableFuture<Http.Reply> callAsync(String endpoint, String body) {
        return CompletableFuture.supplyAsync(() -> http.post("endpoints/" + endpoint + "/call", body));
    }

    @Test
    void aCallServedByAnHttpHandlerThroughPollAndReply() throws Exception {
        String e = "inventory-" + RUN;
        assertEquals(0, poll(e, "worker-1", 0).size(), "nothing to take before any call");
        CompletableFuture<Http.Reply> call = callAsync(e, "{\"payload\":{\"sku\":\"A1\"},\"timeoutMs\":20000}");
        JsonArray calls = poll(e, "worker-1", 15_000);
        assertEquals(1, calls.size(), "the handler got no call: " + calls);
        JsonObject c = calls.getJsonObject(0);
        assertEquals(json("{\"sku\":\"A1\"}"), c.getJsonObject("payload"));
        JsonObject outcome = reply(e, c.getString("callId"), "{\"inStock\":5}");
        assertEquals("accepted", outcome.getString("outcome"), outcome::toString);
        Http.Reply r = call.get(HANG_GUARD_MS, TimeUnit.MILLISECONDS);
        assertEquals(200, r.status(), r::toString);
        assertEquals(json("{\"inStock\":5}"), r.json().getJsonObject("payload"));
        assertEquals("already-answered", reply(e, c.getString("callId"), "1").getString("outcome"));
        assertEquals("unknown", reply(e, "no-such-call", "1").getString("outcome"));
    }

    @Test
    void aCallNobodyAnswersIs504AndTheLateReplyIsReportedExpired() throws Exception {
        String e = "slow-" + RUN;
        poll(e, "sleepy", 0); // present, but will not answer in time
        CompletableFuture<Http.Reply> call = callAsync(e, "{\"payload\":1,\"timeoutMs\":1500}");
        JsonArray calls = poll(e, "sleepy", 15_000);
        assertEquals(1, calls.size(), "the handler got no call");
        assertProblem(call.get(HANG_GUARD_MS, TimeUnit.MILLISECONDS), 504, "timeout");
        JsonObject late = reply(e, calls.getJsonObject(0).getString("callId"), "2");
        assertEquals("expired", late.getString("outcome"), late::toString);
        assertFalse(late.getBoolean("accepted"));
    }

    @Test
    void grantsAndRolesApplyAsForStreams() throws Exception {
        Tokens tokens = Tokens.forServer(Http.arquillianDataDir(), "batpak");
        String mine = "team-a-" + RUN;
        String theirs = "team-b-" + RUN;
        Http writer = new Http(http.uri(""), tokens.token("x-writer", List.of("writer"), List.of("team-a-*")));
        Http reader = new Http(http.uri(""), tokens.token("x-reader", List.of("reader"), List.of("team-a-*")));
        String body = "{\"topic\":\"t\",\"payload\":1}";
        assertEquals(200, writer.post("exchanges/" + mine + "/publish", body).status(), "publish inside the grants");
        assertProblem(writer.post("exchanges/" + theirs + "/publish", body), 403, "forbidden");
        assertProblem(reader.post("exchanges/" + mine + "/publish", body), 403, "forbidden");
        assertProblem(writer.post("endpoints/" + theirs + "/call", "{\"payload\":1}"), 403, "forbidden");
        assertProblem(reader.post("endpoints/" + mine + "/call", "{\"payload\":1}"), 403, "forbidden");
        assertProblem(reader.post("endpoints/" + theirs + "/poll", "{\"handler\":\"h\"}"), 404, "not-found");
        assertEquals(200, reader.post("endpoints/" + mine + "/poll", "{\"handler\":\"h\"}").status(),
                "poll inside the grants");
        assertProblem(reader.post("endpoints/" + mine + "/reply", "{\"callId\":\"x\",\"payload\":1}"), 403,
                "forbidden");
        assertProblem(reader.get("exchanges/" + theirs + "/subscribe", "Accept", "text/event-stream"), 404,
                "not-found");
        try (SseStream s = SseStream.open(reader.client(), reader.uri("exchanges/" + mine + "/subscribe"),
                reader.authorization(), null, Duration.ofSeconds(30))) {
            assertEquals(200, s.status(), "subscribe inside the grants");
            assertEquals(1, writer.post("exchanges/" + mine + "/publish", body).json().getInt("delivered"));
            assertEquals("t=1", received(s, "the granted subscriber"));
        }
    }

    @Test
    void aCallWithNoHandlerIs503NoHandler() {
        Http.Reply r = http.post("endpoints/nobody-" + RUN + "/call", "{\"payload\":1,\"timeoutMs\":5000}");
        assertProblem(r, 503, "no-handler");
        assertTrue(r.header("Retry-After") != null, "no Retry-After on no-handler");
    }

    /**
     * 300 SSE streams opened at once (16 at a time, so the opening burst does not itself grow the
     * HTTP pool by much) each receive every one of 5 appended events, in order, and the server's
     * live threads (MicroProfile Metrics, base scope {@code thread_count}) grow by far less than one per
     * stream: a stream that waits holds no thread.
     */
    @Test
    void threeHundredSseStreamsAtOnceEachGetEveryEventWithoutAThreadEach() throws Exception {
        int streams = 300;
        String prefix = "many-" + RUN + ":";
        Http ops = new Http(baseUrl.toURI().resolve("/"));
        // One stream first, so the SSE dispatcher's own few threads exist before the baseline.
        try (SseStream warm = SseStream.open(http.client(), http.uri("subscribe?entityPrefix=" + prefix + "warm"),
                http.authorization(), null, Duration.ofSeconds(30))) {
            assertEquals(200, warm.status());
        }
        long before = threadCount(ops);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        ExecutorService openers = Executors.newFixedThreadPool(16);
        List<SseStream> open = new ArrayList<>();
        try {
            List<Future<SseStream>> opening = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                opening.add(openers.submit(() -> SseStream.open(client, http.uri("subscribe?after=0&entityPrefix=" + prefix),
                        http.authorization(), null, Duration.ofSeconds(60))));
            }
            for (Future<SseStream> f : opening) {
                SseStream s = f.get(HANG_GUARD_MS, TimeUnit.MILLISECONDS);
                open.add(s);
                assertEquals(200, s.status(), "an SSE stream was refused");
            }
            long withStreams = threadCount(ops);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Http.Reply r = http.post("events", "{\"entity\":\"" + prefix + i + "\",\"scope\":\"it\",\"kind\":61441,"
                        + "\"payload\":" + i + "}");
                assertEquals(201, r.status(), () -> "append: " + r);
                ids.add(Long.toString(r.json().getJsonNumber("globalSequence").longValue()));
            }
            long deadline = deadline();
            for (int k = 0; k < open.size(); k++) {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                    got.add(open.get(k).next(deadline, "stream " + k).id());
                }
                assertEquals(ids, got, "stream " + k + " got every event once, in order");
            }
            assertTrue(withStreams - before < streams / 3, "the server's live threads grew from " + before + " to "
                    + withStreams + " with " + streams + " SSE streams open: a waiting stream must hold no thread");
        } finally {
            open.forEach(SseStream::close);
            openers.shutdownNow();
        }
    }

    /** The server's live thread count from MicroProfile Metrics (Prometheus text, base scope). */
    private static long threadCount(Http ops) {
        Http.Reply r = ops.get("metrics?scope=base");
        assertEquals(200, r.status(), () -> "GET /metrics: " + r);
        for (String line : r.text().split("\n")) {
            // MicroProfile Metrics 5 names it thread_count{mp_scope="base"}; older ones base_thread_count
            if (line.startsWith("base_thread_count") || line.startsWith("thread_count{") && line.contains("mp_scope=\"base\"")) {
                String[] parts = line.trim().split("\\s+");
                return (long) Double.parseDouble(parts[parts.length - 1]);
            }
        }
        throw new AssertionError("no base_thread_count in GET /metrics: " + r.text());
    }
}
