package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.batpak.it.client.ApiClient;
import io.batpak.it.client.ApiException;
import io.batpak.it.client.api.EntitiesApi;
import io.batpak.it.client.api.EventsApi;
import io.batpak.it.client.api.OperationsApi;
import io.batpak.it.client.api.StreamsApi;
import io.batpak.it.client.api.TransactionsApi;
import io.batpak.it.client.model.AckResult;
import io.batpak.it.client.model.AppendRequest;
import io.batpak.it.client.model.BatchReceipts;
import io.batpak.it.client.model.BatchRequest;
import io.batpak.it.client.model.Deliveries;
import io.batpak.it.client.model.Delivery;
import io.batpak.it.client.model.DeliveryIds;
import io.batpak.it.client.model.EventPage;
import io.batpak.it.client.model.GroupConfig;
import io.batpak.it.client.model.GroupState;
import io.batpak.it.client.model.PartitionState;
import io.batpak.it.client.model.PollRequest;
import io.batpak.it.client.model.Problem;
import io.batpak.it.client.model.Receipt;
import io.batpak.it.client.model.StartPosition;
import io.batpak.it.client.model.StoredEvent;
import io.batpak.it.client.model.StreamDefinition;
import io.batpak.it.client.model.StreamEvent;
import io.batpak.it.client.model.StreamEventList;
import io.batpak.it.client.model.StreamPublish;
import io.batpak.it.client.model.StreamPublished;
import io.batpak.it.client.model.StreamState;
import io.batpak.it.client.model.StreamStatement;
import io.batpak.it.client.model.TxCommit;
import io.batpak.it.client.model.TxCommitted;
import io.batpak.it.client.model.TxStatement;
import io.batpak.it.client.model.VerifyResult;
import io.swagger.v3.core.util.Yaml;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
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
 * The OpenAPI document as a client sees it, on the real WAR in a real Payara Micro: what
 * {@code /openapi} serves is valid OpenAPI 3 (no server-specific top-level keys, a relative server)
 * and is the checked-in document; and a client generated from that document at build time
 * (openapi-generator, {@code io.batpak.it.client}, see this module's pom) appends, reads, pages,
 * gets a CAS conflict as a parsed problem, and polls and acks a consumer group, using nothing but
 * the generated classes. Names are unique per run, so a kept data directory does not matter.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OpenApiIT {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final Path CHECKED_IN = Path.of("../web-module/src/main/resources/META-INF/openapi.yaml");
    /** The fields an OpenAPI 3.0 document may have at its top level (besides x- extensions). */
    private static final Set<String> OPENAPI_FIELDS = Set.of("openapi", "info", "jsonSchemaDialect", "servers",
            "paths", "webhooks", "components", "security", "tags", "externalDocs");
    private static final int KIND = 61441;

    @ArquillianResource
    URL baseUrl;
    private ApiClient client;

    @Deployment(testable = false)
    static WebArchive deployment() {
        File war = new File(System.getProperty("batpak.war", "../web-module/target/batpak.war"));
        assertTrue(war.isFile(), "the WAR under test is missing: " + war + " (build web-module first)");
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    @BeforeEach
    void client() throws Exception {
        String token = Http.adminToken(Http.arquillianDataDir());
        client = new ApiClient();
        // Arquillian deploys under a context root of its own: it goes into the base URI, as it would
        // for any deployment not at the root (the document's server is "/", the root deployment).
        client.updateBaseUri(baseUrl.toString().replaceAll("/+$", ""));
        client.setReadTimeout(Duration.ofSeconds(60));
        client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
    }

    @Test
    void theServedDocumentIsValidOpenApiAndTheCheckedInOne() throws Exception {
        // The generated client's own operation (no token needed) fetches it: YAML by default.
        String served = Files.readString(new OperationsApi(anonymous()).getOpenApiDocument().toPath());
        JsonNode tree = Yaml.mapper().readTree(served);
        Set<String> unknown = new TreeSet<>();
        for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!OPENAPI_FIELDS.contains(name) && !name.startsWith("x-")) {
                unknown.add(name);
            }
        }
        assertEquals(Set.of(), unknown, "top-level keys that are not OpenAPI");
        OpenAPI doc = valid(served, "served /openapi");
        assertEquals(1, doc.getServers().size(), "servers: " + doc.getServers());
        assertEquals("/", doc.getServers().get(0).getUrl());
        assertNotNull(doc.getInfo().getLicense());
        assertEquals(operations(valid(Files.readString(CHECKED_IN), "checked-in document")), operations(doc),
                "/openapi does not serve the checked-in document");
    }

    @Test
    void generatedClientAppendsReadsPagesAndSeesTheConflictAsAProblem() throws Exception {
        EventsApi events = new EventsApi(client);
        EntitiesApi entities = new EntitiesApi(client);
        String entity = "player:" + RUN;
        String scope = "openapi-" + RUN;

        Receipt first = events.appendEvent(new AppendRequest().entity(entity).scope(scope).kind(KIND)
                .payload(Map.of("n", 0)), "key-" + RUN, null);
        assertEquals(0L, first.getSequence());
        Receipt replay = events.appendEvent(new AppendRequest().entity(entity).scope(scope).kind(KIND)
                .payload(Map.of("n", 0)), "key-" + RUN, null);
        assertEquals(first.getEventId(), replay.getEventId(), "an idempotent repeat answers the first receipt");
        for (int n = 1; n < 5; n++) {
            events.appendEvent(new AppendRequest().entity(entity).scope(scope).kind(KIND).payload(Map.of("n", n))
                    .expectedSequence((long) n - 1), null, "wait=durable");
        }
        BatchReceipts batch = events.appendBatch(new BatchRequest()
                .addEventsItem(new AppendRequest().entity(entity).scope(scope).kind(KIND).payload(Map.of("n", 5)))
                .addEventsItem(new AppendRequest().entity(entity).scope(scope).kind(KIND).payload(Map.of("n", 6))), null);
        assertEquals(List.of(5L, 6L), batch.getReceipts().stream().map(Receipt::getSequence).toList());

        StoredEvent read = events.getEvent(first.getEventId());
        assertEquals(entity, read.getEntity());
        assertEquals(scope, read.getScope());
        assertEquals(KIND, read.getKind());
        assertEquals(first.getHash(), read.getHash());
        assertEquals(Map.of("n", 0), read.getPayload());

        // Page through the entity two at a time, following next.
        List<Long> sequences = new ArrayList<>();
        Long from = 0L;
        int pages = 0;
        while (from != null) {
            EventPage page = entities.getEntityEvents(entity, scope, from, 2);
            page.getEvents().forEach(e -> sequences.add(e.getSequence()));
            from = page.getNext();
            assertTrue(++pages <= 4, "paging does not end");
        }
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L), sequences);
        // And the store-wide query, by entity prefix and scope.
        EventPage query = events.queryEvents(entity, scope, null, null, 0L, 3);
        assertEquals(3, query.getEvents().size());
        assertEquals(query.getEvents().get(2).getGlobalSequence(), query.getNext());
        VerifyResult verify = entities.verifyEntity(entity, scope);
        assertTrue(verify.getValid());
        assertEquals(7L, verify.getEvents());

        ApiException conflict = assertThrows(ApiException.class, () -> events.appendEvent(new AppendRequest()
                .entity(entity).scope(scope).kind(KIND).payload(Map.of("n", "stale")).expectedSequence(3L), null, null));
        assertEquals(409, conflict.getCode());
        assertTrue(conflict.getResponseHeaders().firstValue("Content-Type").orElse("")
                .startsWith("application/problem+json"), () -> "not a problem: " + conflict.getResponseHeaders());
        Problem problem = client.getObjectMapper().readValue(conflict.getResponseBody(), Problem.class);
        assertEquals("sequence-mismatch", problem.getCode());
        assertEquals(409, problem.getStatus());
        assertEquals(3L, problem.getExpected());
        assertEquals(6L, problem.getActual());

        ApiException missing = assertThrows(ApiException.class, () -> events.getEvent(UUID.randomUUID()));
        assertEquals(404, missing.getCode());
        assertEquals("not-found", client.getObjectMapper().readValue(missing.getResponseBody(), Problem.class).getCode());
    }

    @Test
    void generatedClientPollsAndAcksAConsumerGroup() throws Exception {
        StreamsApi streams = new StreamsApi(client);
        String stream = "orders-" + RUN;
        String group = "billing";
        streams.putStream(stream, new StreamDefinition().partitions(2));
        streams.putGroup(stream, group, new GroupConfig().ackTimeoutMs(60_000L).start(StartPosition.EARLIEST));

        StreamPublished one = streams.publishToStream(stream, new StreamPublish(new StreamEvent().key("order-1")
                .kind(KIND).payload(Map.of("order", 1))));
        assertEquals(stream, one.getStream());
        assertEquals(0L, one.getOffset());
        StreamPublished two = streams.publishToStream(stream, new StreamPublish(new StreamEventList()
                .addEventsItem(new StreamEvent().key("order-2").kind(KIND).payload(Map.of("order", 2)))
                .addEventsItem(new StreamEvent().key("order-3").kind(KIND).payload(Map.of("order", 3)))));
        assertEquals(2, two.getEvents().size());
        StreamState state = streams.getStream(stream);
        assertEquals(3L, state.getHeads().stream().mapToLong(h -> h.getHead()).sum());

        Set<Object> orders = new HashSet<>();
        List<String> ids = new ArrayList<>();
        for (int attempt = 0; attempt < 10 && ids.size() < 3; attempt++) {
            Deliveries d = streams.pollGroup(stream, group, new PollRequest().consumer("c1").max(10).waitMs(5_000L));
            for (Delivery delivery : d.getDeliveries()) {
                ids.add(delivery.getDeliveryId());
                orders.add(((Map<?, ?>) delivery.getEvent().getPayload()).get("order"));
            }
        }
        assertEquals(Set.of(1, 2, 3), orders);
        assertEquals(3, streams.ackDeliveries(stream, group, new DeliveryIds().deliveryIds(ids)).getAcked());
        AckResult again = streams.ackDeliveries(stream, group, new DeliveryIds().deliveryIds(ids));
        assertEquals(0, again.getAcked(), "an ack is idempotent");
        assertEquals(new HashSet<>(ids), new HashSet<>(again.getUnknown()));

        GroupState g = streams.getGroup(stream, group);
        long lag = 0;
        long committed = 0;
        for (PartitionState p : g.getPartitions()) {
            lag += p.getLag();
            committed += p.getCommittedOffset();
            assertEquals(0L, p.getInFlight());
        }
        assertEquals(0L, lag);
        assertEquals(3L, committed, "every offset is acked");
        assertEquals(List.of(), streams.pollGroup(stream, group, new PollRequest().consumer("c1").waitMs(0L))
                .getDeliveries(), "acked events are never redelivered");

        // A transaction through the generated client: an append and a publish commit together.
        TransactionsApi tx = new TransactionsApi(client);
        String txId = tx.beginTransaction().getTxId();
        tx.addTransactionStatement(txId, new TxStatement(new AppendRequest().entity("ledger:" + RUN).scope(stream)
                .kind(KIND).payload(Map.of("billed", 3))));
        tx.addTransactionStatement(txId, new TxStatement(new StreamStatement().stream(stream).key("order-4").kind(KIND)
                .payload(Map.of("order", 4))));
        // An empty TxCommit, not null: the generated client sends an absent optional body as JSON null,
        // which the server refuses (400, "the body must be a JSON object"); it accepts {} and no body.
        TxCommitted committedTx = tx.commitTransaction(txId, new TxCommit());
        assertTrue(committedTx.getCommitted());
        assertEquals(2, committedTx.getReceipts().size(), "a receipt per statement");
        assertEquals(1, committedTx.getPublished().size(), "the stream statement's place");
        assertEquals(stream, committedTx.getPublished().get(0).getStream());
        ApiException gone = assertThrows(ApiException.class, () -> tx.abortTransaction(txId));
        assertEquals(404, gone.getCode());
    }

    @Test
    void healthNeedsNoToken() throws Exception {
        ApiClient anonymous = anonymous();
        assertEquals("UP", new OperationsApi(anonymous).getReadiness().getStatus().getValue());
        ApiClient noToken = new ApiClient(HttpClient.newBuilder(), client.getObjectMapper(), client.getBaseUri());
        ApiException refused = assertThrows(ApiException.class, () -> new EventsApi(noToken).getEvent(UUID.randomUUID()));
        assertEquals(401, refused.getCode());
        assertEquals("unauthenticated", client.getObjectMapper().readValue(refused.getResponseBody(), Problem.class)
                .getCode());
    }

    /** A client of the same server that sends no token, at the server's root (health, OpenAPI). */
    private ApiClient anonymous() throws Exception {
        URI root = baseUrl.toURI();
        return new ApiClient(HttpClient.newBuilder(), client.getObjectMapper(),
                root.getScheme() + "://" + root.getHost() + ":" + root.getPort());
    }

    private static OpenAPI valid(String text, String what) {
        ParseOptions options = new ParseOptions();
        options.setResolve(false);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(text, null, options);
        assertEquals(List.of(), result.getMessages() == null ? List.of() : result.getMessages(),
                what + " is not valid OpenAPI");
        assertNotNull(result.getOpenAPI(), what);
        return result.getOpenAPI();
    }

    /**
     * What a generator reads, one line per item: each operation with its id, parameters, statuses and
     * security; each schema with its properties, required fields and oneOf; the names of the shared
     * responses, parameters and security schemes. Equal for two documents when the server dropped or
     * renamed nothing a client is generated from.
     */
    private static Set<String> operations(OpenAPI doc) {
        Set<String> out = new TreeSet<>();
        doc.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) ->
                out.add(method + " " + path + " " + op.getOperationId() + " params "
                        + (op.getParameters() == null ? "[]" : op.getParameters().stream()
                                .map(prm -> prm.get$ref() == null ? prm.getName() : prm.get$ref()).toList())
                        + " statuses " + new TreeSet<>(op.getResponses().keySet())
                        + " security " + (op.getSecurity() == null ? "inherited" : op.getSecurity().size())
                        + " body " + (op.getRequestBody() == null ? "none"
                                : new TreeSet<>(op.getRequestBody().getContent().keySet())))));
        doc.getComponents().getSchemas().forEach((name, schema) -> out.add("schema " + name + " properties "
                + (schema.getProperties() == null ? "[]" : new TreeSet<>(schema.getProperties().keySet()))
                + " required " + (schema.getRequired() == null ? "[]" : new TreeSet<>(schema.getRequired()))
                + " oneOf " + (schema.getOneOf() == null ? "[]"
                        : schema.getOneOf().stream().map(o -> ((Schema<?>) o).get$ref()).toList())));
        out.add("responses " + new TreeSet<>(doc.getComponents().getResponses().keySet()));
        out.add("parameters " + new TreeSet<>(doc.getComponents().getParameters().keySet()));
        out.add("securitySchemes " + new TreeSet<>(doc.getComponents().getSecuritySchemes().keySet()));
        out.add("security " + doc.getSecurity());
        return out;
    }
}
