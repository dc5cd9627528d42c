package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.it.app.ExampleGate;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
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
 * Security of every endpoint of HTTP-API.md's Append, Read and Streams sections on the real WAR: no token,
 * a token signed by another key, expired, from another issuer, malformed or of another scheme is
 * 401 {@code unauthenticated} with {@code WWW-Authenticate: Bearer}; a valid token without the
 * endpoint's role is 403 {@code forbidden}; writes outside the token's grants are 403 and write
 * nothing; reads never show an event outside the grants (queries, paging, SSE, ancestors, verify,
 * entity reads, GET by id, stats); Operations stay open; gates see the principal.
 *
 * <p>The endpoint table ({@link #ENDPOINTS}) drives the authentication and role checks: a new
 * endpoint (the streams API) is one more row.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class SecurityIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String OPEN = "sec-" + RUN + "-open";
    private static final String HIDDEN = "sec-" + RUN + "-hidden";
    /** Scope the table's write endpoints append to, apart from the read fixture's scopes. */
    private static final String WRITTEN = "sec-" + RUN + "-written";
    private static final String ENTITY = "acct-" + RUN;
    private static final String STREAM = "sec-stream-" + RUN;
    private static final String GROUP = "streams/" + STREAM + "/groups/g1";
    private static final String ACK = "{\"deliveryIds\":[\"no-such-delivery\"]}";
    private static final String READER = "reader";
    private static final String WRITER = "writer";
    private static final String ADMIN = "admin";

    /** One endpoint: how to call it against the fixture, and the role it needs. */
    record Endpoint(String name, String method, Function<Fixture, String> path, Function<Fixture, String> body,
                    String contentType, String role, boolean stream) {
        static Endpoint get(String name, Function<Fixture, String> path, String role) {
            return new Endpoint(name, "GET", path, f -> null, null, role, false);
        }

        static Endpoint post(String name, Function<Fixture, String> path, Function<Fixture, String> body,
                             String contentType, String role) {
            return new Endpoint(name, "POST", path, body, contentType, role, false);
        }

        static Endpoint put(String name, Function<Fixture, String> path, Function<Fixture, String> body, String role) {
            return new Endpoint(name, "PUT", path, body, "application/json", role, false);
        }

        static Endpoint sse(String name, Function<Fixture, String> path, String role) {
            return new Endpoint(name, "GET", path, f -> null, null, role, true);
        }

        @Override
        public String toString() {
            return method + " " + name;
        }
    }

    /** Events the read checks look at: {@code open0}, {@code hidden1}, {@code open2} of one entity, in that order. */
    record Fixture(String open0, String hidden1, String open2, long open2Global) {
    }

    private static final List<Endpoint> ENDPOINTS = List.of(
            Endpoint.post("/events", f -> "events", f -> append("w-" + RUN, WRITTEN), "application/json", WRITER),
            Endpoint.post("/events (CloudEvent)", f -> "events", f -> cloudEvent("ce-" + RUN, WRITTEN),
                    "application/cloudevents+json", WRITER),
            Endpoint.post("/batches", f -> "batches", f -> "{\"events\":[" + append("b-" + RUN, WRITTEN) + "]}",
                    "application/json", WRITER),
            Endpoint.get("/events/{id}", f -> "events/" + f.open0(), READER),
            Endpoint.get("/events?query", f -> "events?entityPrefix=" + ENTITY, READER),
            Endpoint.get("/entities/{e}/events", f -> "entities/" + ENTITY + "/events?scope=" + OPEN, READER),
            Endpoint.get("/events/{id}/ancestors", f -> "events/" + f.open2() + "/ancestors", READER),
            Endpoint.get("/entities/{e}/verify", f -> "entities/" + ENTITY + "/verify?scope=" + OPEN, READER),
            Endpoint.sse("/subscribe", f -> "subscribe?after=0&entityPrefix=" + ENTITY, READER),
            Endpoint.get("/stats", f -> "stats", READER),
            Endpoint.put("/streams/{stream}", f -> "streams/" + STREAM, f -> "{\"partitions\":1}", ADMIN),
            Endpoint.get("/streams/{stream}", f -> "streams/" + STREAM, READER),
            Endpoint.post("/streams/{stream}/events", f -> "streams/" + STREAM + "/events",
                    f -> "{\"key\":\"k\",\"kind\":61441,\"payload\":{}}", "application/json", WRITER),
            Endpoint.put("/streams/{stream}/groups/{group}", f -> GROUP, f -> "{}", ADMIN),
            Endpoint.post("/streams/{stream}/groups/{group}/poll", f -> GROUP + "/poll",
                    f -> "{\"consumer\":\"c1\",\"max\":1,\"waitMs\":0}", "application/json", READER),
            Endpoint.post("/streams/{stream}/groups/{group}/ack", f -> GROUP + "/ack", f -> ACK, "application/json", WRITER),
            Endpoint.post("/streams/{stream}/groups/{group}/nack", f -> GROUP + "/nack", f -> ACK, "application/json",
                    WRITER),
            Endpoint.get("/streams/{stream}/groups/{group}", f -> GROUP, READER),
            Endpoint.post("/transactions", f -> "transactions", f -> "{}", "application/json", WRITER));

    private static Fixture fixture;
    private static Tokens tokens;

    @ArquillianResource
    URL baseUrl;
    private Http anonymous;
    private Http admin;

    @Deployment(testable = false)
    static WebArchive deployment() {
        File war = new File(System.getProperty("batpak.war", "../web-module/target/batpak.war"));
        assertTrue(war.isFile(), "the WAR under test is missing: " + war + " (build web-module first)");
        return ShrinkWrap.createFromZipFile(WebArchive.class, war).addPackage(ExampleGate.class.getPackage());
    }

    @BeforeEach
    void setUp() throws Exception {
        URI api = baseUrl.toURI().resolve("api/v1/");
        anonymous = new Http(api);
        admin = new Http(api, Http.adminToken(Http.arquillianDataDir()));
        if (tokens == null) {
            tokens = Tokens.forServer(Http.arquillianDataDir(), "batpak");
        }
        if (fixture == null) {
            String a = created(admin.post("events", append(ENTITY, OPEN))).getString("eventId");
            String h = created(admin.post("events", append(ENTITY, HIDDEN))).getString("eventId");
            JsonObject c = created(admin.post("events", append(ENTITY, OPEN)));
            created(admin.post("events", append("secret-" + RUN, HIDDEN)));
            Http.Reply stream = admin.send(HttpRequest.newBuilder(admin.uri("streams/" + STREAM))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"partitions\":1}")));
            assertEquals(201, stream.status(), () -> "fixture stream: " + stream);
            Http.Reply group = admin.send(HttpRequest.newBuilder(admin.uri(GROUP))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{}")));
            assertEquals(200, group.status(), () -> "fixture group: " + group);
            fixture = new Fixture(a, h, c.getString("eventId"), c.getJsonNumber("globalSequence").longValue());
        }
    }

    private static JsonObject created(Http.Reply r) {
        assertEquals(201, r.status(), () -> "fixture append: " + r);
        return r.json();
    }

    private static String append(String entity, String scope) {
        return "{\"entity\":\"" + entity + "\",\"scope\":\"" + scope + "\",\"kind\":61441,\"payload\":{\"n\":1}}";
    }

    private static String cloudEvent(String subject, String source) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"" + source
                + "\",\"type\":\"sec.test\",\"subject\":\"" + subject + "\",\"kind\":61441,"
                + "\"datacontenttype\":\"application/json\",\"data\":{\"n\":1}}";
    }

    private Http.Reply call(Endpoint e, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(anonymous.uri(e.path().apply(fixture)));
        String body = e.body().apply(fixture);
        if (body != null) {
            b.header("Content-Type", e.contentType()).method(e.method(), HttpRequest.BodyPublishers.ofString(body));
        } else {
            b.GET();
        }
        if (e.stream()) {
            b.header("Accept", "text/event-stream");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (!e.stream()) {
            return anonymous.send(b);
        }
        try {
            HttpResponse<InputStream> r = anonymous.client().send(b.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                // An open stream never ends: keep only the status and headers; a refusal is read whole.
                byte[] bytes = r.statusCode() == 200 ? new byte[0] : in.readAllBytes();
                return new Http.Reply(r.statusCode(), r.headers(), bytes);
            }
        } catch (Exception ex) {
            throw new AssertionError(e + " failed: " + ex, ex);
        }
    }

    private static JsonObject assertProblem(Http.Reply r, int status, String code, String what) {
        assertEquals(status, r.status(), () -> what + ": " + r);
        assertNotNull(r.header("Content-Type"), what + ": no Content-Type");
        assertTrue(r.header("Content-Type").startsWith("application/problem+json"), () -> what + ": not a problem: " + r);
        JsonObject p = r.json();
        assertEquals(code, p.getString("code"), () -> what + ": " + r);
        assertEquals(status, p.getInt("status"), () -> what + ": " + r);
        return p;
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    @Test
    void everyEndpointRefusesAMissingOrInvalidTokenWith401() {
        List<String> all = List.of(READER, WRITER, ADMIN);
        List<String> any = List.of("*");
        String[][] cases = {
                {"no token", null},
                {"a token signed by another key", bearer(tokens.otherKey("mallory", all, any))},
                {"an expired token", bearer(tokens.expired("old", all, any))},
                {"a token from another issuer", bearer(tokens.otherIssuer("foreign", all, any))},
                {"an unsigned token (alg none)", bearer(tokens.unsigned("admin", all, any))},
                {"a token with a crit header the server does not know", bearer(tokens.unknownCritical("admin", all, any))},
                {"a malformed token", "Bearer not.a-token"},
                {"garbage", "Bearer %%%"},
                {"another scheme", "Basic YWRtaW46YWRtaW4="}};
        for (Endpoint e : ENDPOINTS) {
            for (String[] c : cases) {
                Http.Reply r = call(e, c[1]);
                assertProblem(r, 401, "unauthenticated", e + " with " + c[0]);
                String challenge = r.header("WWW-Authenticate");
                assertTrue(challenge != null && challenge.startsWith("Bearer"),
                        () -> e + " with " + c[0] + ": WWW-Authenticate must be Bearer, was " + challenge);
            }
        }
    }

    @Test
    void everyEndpointNeedsItsRoleAndAdminImpliesTheOthers() {
        for (Endpoint e : ENDPOINTS) {
            String other = e.role().equals(READER) ? WRITER : READER;
            assertProblem(call(e, bearer(tokens.token("u-" + other, List.of(other), List.of("*")))), 403, "forbidden",
                    e + " with only the role " + other);
            assertProblem(call(e, bearer(tokens.token("u-none", List.of(), List.of("*")))), 403, "forbidden",
                    e + " with no role");
            for (List<String> roles : List.of(List.of(e.role()), List.of(ADMIN))) {
                Http.Reply ok = call(e, bearer(tokens.token("u-ok", roles, List.of("*"))));
                assertTrue(ok.status() / 100 == 2, () -> e + " with roles " + roles + " must succeed: " + ok);
            }
        }
    }

    @Test
    void theGeneratedAdminTokenReachesEverything() {
        for (Endpoint e : ENDPOINTS) {
            Http.Reply ok = call(e, admin.authorization());
            assertTrue(ok.status() / 100 == 2, () -> e + " with the admin token: " + ok);
        }
    }

    @Test
    void transactionStatementsNeedAWriterWhoOwnsTheTransactionAndGrantsForTheirScopes() {
        String granted = "sec-" + RUN + "-txgranted";
        Http owner = new Http(anonymous.uri(""), tokens.token("tx-owner", List.of(WRITER), List.of(granted, STREAM)));
        Http other = new Http(anonymous.uri(""), tokens.token("tx-other", List.of(WRITER), List.of("*")));
        Http reader = new Http(anonymous.uri(""), tokens.token("tx-reader", List.of(READER), List.of("*")));
        String tx = created(owner.post("transactions", "{}")).getString("txId");
        String statement = append("tx-" + RUN, granted);
        String[] paths = {"transactions/" + tx + "/events", "transactions/" + tx + "/commit"};
        for (String path : paths) {
            assertProblem(anonymous.post(path, statement), 401, "unauthenticated", "POST " + path + " without a token");
            assertProblem(reader.post(path, statement), 403, "forbidden", "POST " + path + " with only the reader role");
            assertProblem(other.post(path, statement), 404, "not-found",
                    "POST " + path + " by a writer who did not begin the transaction (it must look absent)");
        }
        assertProblem(other.send(HttpRequest.newBuilder(other.uri("transactions/" + tx)).DELETE()), 404, "not-found",
                "DELETE of another principal's transaction");
        assertProblem(owner.post(paths[0], append("tx-" + RUN, HIDDEN)), 403, "forbidden",
                "a statement whose scope is outside the owner's grants");
        assertEquals(200, owner.post(paths[0], statement).status(), "the owner adds a statement inside its grants");
        Http.Reply commit = owner.post(paths[1], "{}");
        assertEquals(200, commit.status(), () -> "the owner commits: " + commit);
        assertEquals(1, admin.get("entities/tx-" + RUN + "/events").json().getJsonArray("events").size(),
                "the committed statement is stored once, and nothing the refused callers sent");
        String aborted = created(owner.post("transactions", "{}")).getString("txId");
        assertProblem(anonymous.send(HttpRequest.newBuilder(anonymous.uri("transactions/" + aborted)).DELETE()), 401,
                "unauthenticated", "DELETE without a token");
        assertProblem(reader.send(HttpRequest.newBuilder(reader.uri("transactions/" + aborted)).DELETE()), 403,
                "forbidden", "DELETE with only the reader role");
        assertEquals(204, owner.send(HttpRequest.newBuilder(owner.uri("transactions/" + aborted)).DELETE()).status(),
                "the owner aborts its transaction");
    }

    @Test
    void writesOutsideTheGrantsAreForbiddenAndWriteNothing() {
        String granted = "sec-" + RUN + "-wgranted";
        Http scoped = new Http(anonymous.uri(""), tokens.token("scoped-writer", List.of(WRITER), List.of(granted)));
        String entity = "writes-" + RUN;
        assertProblem(scoped.post("events", append(entity, HIDDEN)), 403, "forbidden", "append outside the grants");
        assertProblem(scoped.post("batches", "{\"events\":[" + append(entity, granted) + "," + append(entity, HIDDEN) + "]}"),
                403, "forbidden", "a batch with one event outside the grants");
        assertProblem(scoped.post("events", cloudEvent(entity, HIDDEN).getBytes(StandardCharsets.UTF_8),
                "application/cloudevents+json"), 403, "forbidden", "a CloudEvent outside the grants");
        assertProblem(new Http(anonymous.uri(""), tokens.token("no-scopes", List.of(WRITER), null))
                .post("events", append(entity, granted)), 403, "forbidden", "a token without batpak_scopes reaches nothing");
        assertEquals(0, admin.get("entities/" + entity + "/events").json().getJsonArray("events").size(),
                "a refused write must store nothing, not even the batch's granted event");
        assertProblem(scoped.post("events", append(entity, granted + "x")), 403, "forbidden",
                "a grant without wildcards is an exact name");
        assertEquals(201, scoped.post("events", append(entity, granted)).status(), "a write inside the grants succeeds");
        Http globbed = new Http(anonymous.uri(""), tokens.token("glob-writer", List.of(WRITER), List.of("sec-" + RUN + "-w*")));
        assertEquals(201, globbed.post("events", append(entity, granted)).status(), "a glob grant reaches matching scopes");
    }

    @Test
    void readsNeverShowEventsOutsideTheGrants() throws Exception {
        Http scoped = new Http(anonymous.uri(""), tokens.token("scoped-reader", List.of(READER), List.of(OPEN)));
        List<String> visible = List.of(fixture.open0(), fixture.open2());

        assertEquals(visible, ids(scoped.get("events?entityPrefix=" + ENTITY + "&limit=100")), "query");
        List<String> paged = new ArrayList<>();
        String after = "0";
        for (int page = 0; page < 10 && after != null; page++) {
            JsonObject o = scoped.get("events?entityPrefix=" + ENTITY + "&limit=1&after=" + after).json();
            o.getJsonArray("events").forEach(v -> paged.add(((JsonObject) v).getString("eventId")));
            after = o.isNull("next") ? null : o.getJsonNumber("next").toString();
        }
        assertEquals(visible, paged, "paging one by one must neither show nor count the hidden event");
        assertEquals(List.of(), ids(scoped.get("events?scope=" + HIDDEN)), "a query naming an ungranted scope");

        JsonObject entityPage = scoped.get("entities/" + ENTITY + "/events?limit=1&from=1").json();
        assertEquals(List.of(fixture.open2()), ids(entityPage), "entity read from sequence 1 skips the hidden sequence 1");
        assertEquals(visible, ids(scoped.get("entities/" + ENTITY + "/events")), "entity read");

        Http.Reply hidden = scoped.get("events/" + fixture.hidden1());
        JsonObject hiddenProblem = assertProblem(hidden, 404, "not-found", "GET of an event outside the grants");
        UUID missing = UUID.randomUUID();
        JsonObject missingProblem = assertProblem(scoped.get("events/" + missing), 404, "not-found", "GET of a missing event");
        assertEquals(missingProblem.getString("detail").replace(missing.toString(), "ID"),
                hiddenProblem.getString("detail").replace(fixture.hidden1(), "ID"),
                "a hidden event must be answered exactly like a missing one");
        assertProblem(scoped.get("events/" + fixture.hidden1() + "/ancestors"), 404, "not-found", "ancestors of a hidden event");
        assertEquals(List.of(fixture.open0()), ids(scoped.get("events/" + fixture.open2() + "/ancestors")),
                "ancestors skip the hidden parent");

        JsonObject verify = scoped.get("entities/" + ENTITY + "/verify").json();
        assertEquals(2, verify.getInt("events"), "verify counts only reachable events: " + verify);
        JsonObject secret = scoped.get("entities/secret-" + RUN + "/verify").json();
        assertEquals(0, secret.getInt("events"), "an entity wholly outside the grants verifies like a missing one");

        JsonObject stats = scoped.get("stats").json();
        assertEquals(2, stats.getInt("events"), "stats count only reachable events: " + stats);
        assertEquals(1, stats.getInt("entities"), "stats count only reachable entities: " + stats);
        assertEquals(fixture.open2Global(), stats.getJsonNumber("globalSequence").longValue(),
                "stats globalSequence is the last reachable event: " + stats);

        assertEquals(visible, sse(scoped, "subscribe?after=0&entityPrefix=" + ENTITY, 2), "SSE catch-up");
        assertEquals(List.of(fixture.open0(), fixture.hidden1(), fixture.open2()),
                sse(admin, "subscribe?after=0&entityPrefix=" + ENTITY, 3), "the admin sees all three");
    }

    /**
     * The first {@code n} event ids an SSE stream delivers before a marker event appended just
     * before it opens, so everything caught up is seen (and nothing hidden slips in between).
     */
    private List<String> sse(Http client, String path, int n) throws Exception {
        // A marker appended in the granted scope after the fixture ends the catch-up for both readers.
        String marker = created(admin.post("events", append(ENTITY, OPEN))).getString("eventId");
        List<String> ids = new ArrayList<>();
        // Every read has a deadline (SseStream): a stream that stalls fails the test instead of hanging it.
        try (SseStream sse = SseStream.open(client.client(), client.uri(path), client.authorization(), null, Duration.ofSeconds(60))) {
            assertEquals(200, sse.status(), "SSE status");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                SseStream.Message m = sse.next(deadline, "SSE " + path + " before the marker");
                if (m.data() != null) {
                    String id = jsonId(m.data());
                    if (id.equals(marker)) {
                        break;
                    }
                    ids.add(id);
                }
            }
        }
        return ids.size() > n ? ids.subList(0, n) : ids;
    }

    private static String jsonId(String json) {
        try (var reader = jakarta.json.Json.createReader(new java.io.StringReader(json))) {
            return reader.readObject().getString("eventId");
        }
    }

    private static List<String> ids(Http.Reply r) {
        assertEquals(200, r.status(), r::toString);
        return ids(r.json());
    }

    private static List<String> ids(JsonObject o) {
        JsonArray a = o.getJsonArray("events");
        List<String> out = new ArrayList<>();
        a.forEach(v -> out.add(((JsonObject) v).getString("eventId")));
        return out;
    }

    @Test
    void operationsStayOpen() throws Exception {
        Http ops = new Http(baseUrl.toURI().resolve("/"));
        for (String path : List.of("health", "health/live", "health/ready", "openapi", "metrics")) {
            Http.Reply r = ops.get(path);
            assertEquals(200, r.status(), () -> path + " must answer without a token: " + r);
        }
    }

    @Test
    void gatesSeeThePrincipal() {
        Http scoped = new Http(anonymous.uri(""), tokens.token("gate-watcher", List.of(WRITER, READER), List.of(OPEN)));
        JsonObject p = assertProblem(scoped.post("events", append("whoami:" + RUN, OPEN)), 422, "denied",
                "the echo gate");
        assertEquals("gate-watcher", p.getString("context.name"), "the gate sees the caller's name");
        assertEquals("reader,writer", p.getString("context.roles"), "the gate sees the caller's roles");
        assertEquals(OPEN, p.getString("context.grants"), "the gate sees the caller's grants");
        assertFalse(p.containsKey("context.token"), "nothing else leaks into the denial");
    }

    /**
     * The attacks of issue 12, each as a writer whose only grant is its own scope {@code evil-…}
     * against another tenant's scope {@code payments-…}: every one is refused or lands in the
     * attacker's own scope, and the victim's entity, stream, group and keys are unchanged.
     */
    @Test
    void attacksByANarrowlyGrantedTenantAreRefusedAndChangeNothing() {
        String payments = "payments-" + RUN;
        String evil = "evil-" + RUN;
        String invoice = "invoice-42-" + RUN;
        Http victim = new Http(anonymous.uri(""), tokens.token("victim", List.of(WRITER, READER, ADMIN), List.of(payments)));
        Http attacker = new Http(anonymous.uri(""), tokens.token("attacker", List.of(WRITER, READER), List.of(evil)));
        Http attackerReader = new Http(anonymous.uri(""), tokens.token("attacker-r", List.of(READER), List.of(evil)));
        created(victim.post("events", append(invoice, payments)));
        assertEquals(201, victim.post("events", append("keyed-" + RUN, payments), "Idempotency-Key", "k-" + RUN).status());
        Http.Reply made = victim.send(HttpRequest.newBuilder(victim.uri("streams/" + payments))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"partitions\":1}")));
        assertEquals(201, made.status(), () -> "victim stream: " + made);
        assertEquals(201, victim.post("streams/" + payments + "/events", "{\"key\":\"o\",\"kind\":61441,\"payload\":{}}").status());
        Http.Reply group = victim.send(HttpRequest.newBuilder(victim.uri("streams/" + payments + "/groups/g"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(200, group.status(), () -> "the victim's group: " + group);
        String before = victimState(victim, payments, invoice);

        // The same entity name in another scope is another entity: its own sequence, its own 409.
        JsonObject own = created(attacker.post("events", append(invoice, evil)));
        assertEquals(0, own.getInt("sequence"), "the attacker's invoice-42 is a new entity: " + own);
        JsonObject cas = assertProblem(attacker.post("events", "{\"entity\":\"" + invoice + "\",\"scope\":\"" + evil
                + "\",\"kind\":61441,\"payload\":{},\"expectedSequence\":999999}"), 409, "sequence-mismatch", "CAS probe");
        assertEquals(0, cas.getJsonNumber("actual").longValue(), "the 409 tells the attacker only its own entity's sequence: " + cas);
        // The store's bookkeeping names and kinds are refused on every path.
        assertProblem(attacker.post("events", "{\"entity\":\"stream:" + payments + "/0\",\"scope\":\"" + evil
                + "\",\"kind\":4096,\"payload\":{}}"), 400, "reserved-entity", "append to another stream's partition");
        assertProblem(attacker.post("events", "{\"entity\":\"stream:" + evil + "\",\"scope\":\"" + evil
                + "\",\"kind\":57345,\"payload\":{\"partitions\":2000000000}}"), 400, "reserved-kind", "forged stream config");
        assertProblem(attacker.get("streams/" + evil), 404, "not-found", "the forged stream does not exist (no 500)");
        assertProblem(attacker.post("events", "{\"entity\":\"group:" + evil + "/g\",\"scope\":\"" + evil
                + "\",\"kind\":4096,\"payload\":{}}"), 400, "reserved-entity", "forged group entity");
        assertProblem(attacker.post("events", "{\"entity\":\"x\",\"scope\":\"" + evil
                + "\",\"kind\":57347,\"payload\":{\"acks\":[[0,0]]}}"), 400, "reserved-kind", "forged group ack kind");
        assertProblem(attacker.post("batches", "{\"events\":[" + append("fine-" + RUN, evil) + ",{\"entity\":\"stream:"
                + payments + "/0\",\"scope\":\"" + evil + "\",\"kind\":4096,\"payload\":{}}]}"), 400, "reserved-entity",
                "a batch with one reserved entity");
        assertEquals(0, attacker.get("entities/fine-" + RUN + "/events").json().getJsonArray("events").size(),
                "a refused batch stores none of its events");
        String ce = "{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"" + evil
                + "\",\"type\":\"t\",\"subject\":\"stream:" + payments + "/0\",\"kind\":4096,\"data\":{}}";
        assertProblem(attacker.post("events", ce.getBytes(StandardCharsets.UTF_8), "application/cloudevents+json"), 400,
                "reserved-entity", "a CloudEvent naming a stream partition");
        String tx = created(attacker.post("transactions", "{}")).getString("txId");
        assertProblem(attacker.post("transactions/" + tx + "/events", "{\"entity\":\"group:" + payments + "/g\",\"scope\":\""
                + evil + "\",\"kind\":4096,\"payload\":{}}"), 400, "reserved-entity", "a transaction statement");
        // Idempotency keys are per scope: the victim's key is not the attacker's.
        assertEquals(201, attacker.post("events", append("keyed-" + RUN, evil), "Idempotency-Key", "k-" + RUN).status(),
                "the same Idempotency-Key in another scope is another key");
        // Statements are bounded when they are added.
        String big = "{\"entity\":\"big\",\"scope\":\"" + evil + "\",\"kind\":61441,\"payload\":\"" + "x".repeat(1_100_000)
                + "\"}";
        assertProblem(attacker.post("transactions/" + tx + "/events", big), 413, "payload-too-large",
                "a statement larger than an event may be");
        // Creating a group durably needs writer.
        Http.Reply evilStream = admin.send(HttpRequest.newBuilder(admin.uri("streams/" + evil))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"partitions\":1}")));
        assertEquals(201, evilStream.status(), () -> "attacker's stream: " + evilStream);
        assertProblem(attackerReader.post("streams/" + evil + "/groups/new/poll", "{\"consumer\":\"c\",\"max\":1}"), 403,
                "forbidden", "a reader's first poll would create the group");
        // A name in two scopes is ambiguous only to a caller who can see both.
        assertProblem(admin.get("entities/" + invoice + "/events"), 400, "ambiguous-entity", "the admin sees two invoice-42");
        assertEquals(1, admin.get("entities/" + invoice + "/events?scope=" + payments).json().getJsonArray("events").size());

        assertEquals(before, victimState(victim, payments, invoice), "the victim's data changed under the attacks");
    }

    /** What the victim sees of its entity, keyed append, stream head and group. */
    private static String victimState(Http victim, String payments, String invoice) {
        return victim.get("entities/" + invoice + "/events").text() + victim.get("entities/keyed-" + RUN + "/events").text()
                + victim.get("streams/" + payments).text() + victim.get("streams/" + payments + "/groups/g").text();
    }
}
