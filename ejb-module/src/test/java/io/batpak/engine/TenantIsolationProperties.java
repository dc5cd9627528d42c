package io.batpak.engine;

import io.batpak.engine.gate.ClientAppends;
import io.batpak.engine.log.TestFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Scope is an isolation boundary (HTTP-API.md, "Identity"): nothing tenant A sends or receives may
 * depend on what tenant B does in its own scopes. A random workload of A runs alone on one store,
 * then the same workload interleaved with a random workload of B on a fresh store; B uses the same
 * entity names, kinds, payloads and idempotency keys as A, and also tries to write into A's scope.
 * Every answer A gets (receipts, 409 bodies, error codes, entity reads, queries, verify, ancestors,
 * stats) must be identical in both runs, with global sequences, event ids, timestamps and hashes
 * left out (they are store-wide or random by design; the contract documents the gaps in
 * {@code globalSequence}). A failure prints the first differing answer: look at how the operation
 * resolves entities, keys or counts across scopes.
 */
class TenantIsolationProperties {
    private static final String[] ENTITIES = {"invoice-42", "order:1", "order:2", "stream:a/0", "group:a/g"};
    private static final String[] KEYS = {"k1", "k2", "k3"};

    /** One operation: what, on which entity, with which kind, expected sequence and key. */
    record Op(int what, int entity, int kind, int expected, int key) {
    }

    /** What a caller of one tenant can do, with the checks the HTTP layer applies before the engine. */
    private record Tenant(EventStore store, String scope, ScopeGrants grants) {
        String run(Op op, List<UUID> mine) {
            String entity = ENTITIES[op.entity()];
            try {
                return switch (op.what()) {
                    case 0, 1 -> append(op, entity, mine, scope);
                    case 2 -> append(op, entity, mine, "a"); // B tries A's scope; A writes its own
                    case 3 -> batch(op, mine);
                    case 4 -> resolve(entity).map(c -> events(store.readEntity(EntityQuery.of(c).withLimit(100)))).orElse("[]");
                    case 5 -> resolve(entity).map(c -> verify(store.verify(EntityQuery.of(c)))).orElse("empty");
                    case 6 -> events(store.read(Region.all().withEntityPrefix(entity.substring(0, 3)).withGrants(grants)));
                    case 7 -> {
                        StoreStats st = store.stats(grants);
                        yield "stats " + st.events() + "/" + st.entities() + "/" + st.scopes();
                    }
                    default -> mine.isEmpty() ? "none" : events(store.ancestors(EventLookup.of(mine.get(mine.size() - 1)).withGrants(grants), 10));
                };
            } catch (SequenceMismatchException e) {
                return "409 " + e.code().code() + " expected " + e.expected() + " actual " + e.actual();
            } catch (StoreException e) {
                return "error " + e.code().code();
            }
        }

        private String append(Op op, String entity, List<UUID> mine, String target) {
            AppendOptions o = AppendOptions.NONE;
            if (op.expected() >= -1) {
                o = o.withExpectedSequence(op.expected());
            }
            if (op.key() >= 0) {
                o = o.withIdempotencyKey(KEYS[op.key()]);
            }
            AppendRequest r = new AppendRequest(new Coordinate(entity, target), new EventKind(0x1000 + op.kind()),
                    ("{\"k\":" + op.kind() + "}").getBytes(StandardCharsets.UTF_8), o);
            AppendReceipt receipt = store.append(checked(List.of(r)).get(0));
            mine.add(receipt.eventId());
            return "receipt " + receipt.coordinate() + " seq " + receipt.sequence() + " replayed " + receipt.replayed();
        }

        private String batch(Op op, List<UUID> mine) {
            List<AppendRequest> rs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                AppendOptions o = op.key() >= 0 ? AppendOptions.NONE.withIdempotencyKey("b" + op.key() + i)
                        : AppendOptions.NONE;
                rs.add(new AppendRequest(new Coordinate(ENTITIES[(op.entity() + i) % 3], scope),
                        new EventKind(0x1000 + op.kind()), "{}".getBytes(StandardCharsets.UTF_8), o));
            }
            StringBuilder b = new StringBuilder("batch");
            for (AppendReceipt r : store.appendBatch(checked(rs))) {
                mine.add(r.eventId());
                b.append(' ').append(r.coordinate()).append('#').append(r.sequence()).append(r.replayed() ? "r" : "");
            }
            return b.toString();
        }

        /** The HTTP layer's write checks: reserved kinds and names, then the grants. */
        private List<AppendRequest> checked(List<AppendRequest> rs) {
            ClientAppends.check(rs);
            for (AppendRequest r : rs) {
                if (!grants.reaches(r.coordinate().scope())) {
                    throw new StoreException(ErrorCode.FORBIDDEN, "outside the grants");
                }
            }
            return rs;
        }

        private Optional<Coordinate> resolve(String entity) {
            return store.resolve(entity, grants);
        }
    }

    private static String events(List<StoredEvent> events) {
        StringBuilder b = new StringBuilder("[");
        for (StoredEvent e : events) {
            b.append(e.coordinate()).append('#').append(e.sequence()).append(' ').append(e.kind()).append(' ')
                    .append(new String(e.payload(), StandardCharsets.UTF_8)).append(';');
        }
        return b.append(']').toString();
    }

    private static String verify(VerifyResult v) {
        return "verify " + v.entity() + " " + v.events() + " " + v.valid() + " " + v.firstInvalidSequence();
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 8), Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(1, 3), Arbitraries.integers().between(-2, 3),
                Arbitraries.integers().between(-1, 2)).as(Op::new).list().ofMaxSize(40);
    }

    @Provide
    Arbitrary<List<Boolean>> interleaving() {
        return Arbitraries.of(true, false).list().ofMaxSize(80);
    }

    @Property(tries = 60)
    void tenantAnswersDoNotDependOnAnotherTenant(@ForAll("ops") List<Op> a, @ForAll("ops") List<Op> b,
                                                 @ForAll("interleaving") List<Boolean> order) throws IOException {
        List<String> alone = run(a, List.of(), List.of());
        List<String> together = run(a, b, order);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(alone.get(i), together.get(i), "answer " + i + " to tenant A's " + a.get(i)
                    + " changed when tenant B ran " + b + " beside it");
        }
    }

    /** Runs A's ops, with B's interleaved where {@code order} says (B first on true), and returns A's answers. */
    private static List<String> run(List<Op> a, List<Op> b, List<Boolean> order) throws IOException {
        Path dir = Files.createTempDirectory("batpak-tenants");
        List<String> answers = new ArrayList<>();
        try (EventStore s = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER))) {
            Tenant ta = new Tenant(s, "a", ScopeGrants.of(List.of("a")));
            Tenant tb = new Tenant(s, "b", ScopeGrants.of(List.of("b")));
            List<UUID> mineA = new ArrayList<>();
            List<UUID> mineB = new ArrayList<>();
            int ia = 0;
            int ib = 0;
            for (int k = 0; ia < a.size(); k++) {
                boolean bFirst = k < order.size() && order.get(k) && ib < b.size();
                if (bFirst) {
                    tb.run(b.get(ib++), mineB);
                } else {
                    answers.add(ta.run(a.get(ia++), mineA));
                }
            }
        } finally {
            TestFiles.deleteTree(dir);
        }
        return answers;
    }
}
