package io.batpak.engine.gate;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventLookup;
import io.batpak.engine.EventStore;
import io.batpak.engine.Region;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.log.EventHasher;
import io.batpak.engine.log.FormatGoldenTest;
import io.batpak.engine.log.FrameCodec;
import io.batpak.engine.log.GoldenSample;
import io.batpak.engine.log.LogRecord;
import io.batpak.engine.log.SegmentFiles;
import io.batpak.engine.log.TestFiles;
import io.batpak.engine.util.GrowableBuffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gates, receipts and bypasses: one test per rule of GateSet's and Receipt's contracts. */
class GateTest {
    private static final EventKind KIND = EventKind.of(0xF, 1);

    @TempDir
    Path dir;
    private final List<EventStore> open = new ArrayList<>();

    private EventStore open() {
        EventStore s = EventStore.open(StoreConfig.defaults(dir));
        open.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        open.forEach(EventStore::close);
    }

    private static AppendRequest request(String entity, String payload) {
        return new AppendRequest(new Coordinate(entity, "scope-a"), KIND, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A gate that records which gate saw which request and denies those whose payload is "deny-me". */
    private record Recording(String name, List<String> log) implements Gate {
        @Override
        public Optional<Denial> evaluate(AppendContext c) {
            String payload = new String(c.request().payload(), StandardCharsets.UTF_8);
            log.add(name + ":" + c.batchIndex() + "/" + c.batchSize());
            return payload.equals("deny-me") || name.startsWith("deny")
                    ? Optional.of(new Denial(name, "refused", "no", Map.of("index", String.valueOf(c.batchIndex()))))
                    : Optional.empty();
        }
    }

    @Test
    void failFastStopsAtTheFirstDenyingGateInListOrder() {
        List<String> log = new CopyOnWriteArrayList<>();
        GateSet gates = GateSet.of(List.of(new Recording("a", log), new Recording("deny-b", log),
                new Recording("deny-c", log)));
        GateDecision d = gates.evaluate(List.of(request("e", "1"), request("e", "2")), Caller.ANONYMOUS);
        Denial denial = assertInstanceOf(GateDecision.Denied.class, d, "gate deny-b refuses").denial();
        assertEquals("deny-b", denial.gate(), "the first gate in list order that refuses reports");
        assertEquals("refused", denial.code());
        assertEquals(Map.of("index", "0"), denial.context());
        assertEquals(List.of("a:0/2", "a:1/2", "deny-b:0/2"), log,
                "gate-major order, and evaluation stops at the first denial (deny-c never runs)");
        assertEquals(List.of("a", "deny-b", "deny-c"), gates.names());
    }

    @Test
    void evaluateAllReportsEveryDenialOfEveryGate() {
        List<String> log = new CopyOnWriteArrayList<>();
        GateSet gates = GateSet.of(List.of(new Recording("a", log), new Recording("deny-b", log),
                new Recording("deny-c", log)));
        List<Denial> all = gates.evaluateAll(List.of(request("e", "deny-me"), request("e", "ok")), Caller.ANONYMOUS);
        List<String> who = all.stream().map(d -> d.gate() + "@" + d.context().get("index")).toList();
        assertEquals(List.of("a@0", "deny-b@0", "deny-b@1", "deny-c@0", "deny-c@1"), who,
                "evaluateAll asks every gate about every request and keeps every denial in order");
        assertEquals(List.of(), GateSet.of(List.of(new Recording("a", log))).evaluateAll(
                List.of(request("e", "ok")), Caller.ANONYMOUS), "no denials when every gate passes");
    }

    @Test
    void passingYieldsAReceiptThatAppendsExactlyTheEvaluatedRequests() {
        EventStore s = open();
        GateSet gates = GateSet.of(List.of(new Recording("a", new ArrayList<>()), new Recording("b", new ArrayList<>())));
        Receipt r = passed(gates.evaluate(List.of(request("e", "one")), Caller.ANONYMOUS));
        assertEquals(List.of("a", "b"), r.gatesPassed());
        assertEquals(Optional.empty(), r.bypassReason());
        List<AppendReceipt> out = s.append(r);
        assertEquals(1, out.size());
        StoredEvent e = s.get(EventLookup.of(out.get(0).eventId())).orElseThrow();
        assertEquals("one", new String(e.payload(), StandardCharsets.UTF_8));
        assertNull(e.bypassReason(), "an event appended through the gates has no bypass reason");
        assertTrue(r.isConsumed());
    }

    @Test
    void aReceiptOfSeveralRequestsAppendsAtomically() {
        EventStore s = open();
        s.append(new Coordinate("e", "scope-a"), KIND, new byte[] {1});
        AppendRequest ok = request("f", "x");
        AppendRequest stale = new AppendRequest(new Coordinate("e", "scope-a"), KIND, new byte[] {2},
                AppendOptions.NONE.withExpectedSequence(AppendOptions.NO_EVENTS));
        Receipt bad = passed(GateSet.empty().evaluate(List.of(ok, stale), Caller.ANONYMOUS));
        assertEquals(ErrorCode.SEQUENCE_MISMATCH, assertThrows(StoreException.class, () -> s.append(bad)).code());
        assertEquals(1, s.globalSequence(), "a batch with one failing CAS stores none of its events");

        Receipt good = passed(GateSet.empty().evaluate(List.of(request("f", "1"), request("g", "2")), Caller.ANONYMOUS));
        List<AppendReceipt> out = s.append(good);
        assertEquals(List.of(2L, 3L), out.stream().map(AppendReceipt::globalSequence).toList());
    }

    @Test
    void aSingleRequestKeepsItsIdempotencyKey() {
        EventStore s = open();
        AppendRequest keyed = new AppendRequest(new Coordinate("e", "scope-a"), KIND, new byte[] {7},
                AppendOptions.NONE.withIdempotencyKey("k-1"));
        AppendReceipt first = s.append(passed(GateSet.empty().evaluate(List.of(keyed), Caller.ANONYMOUS))).get(0);
        AppendReceipt again = s.append(passed(GateSet.empty().evaluate(List.of(keyed), Caller.ANONYMOUS))).get(0);
        assertTrue(again.replayed(), "a second receipt for the same keyed request replays the first append");
        assertEquals(first.eventId(), again.eventId());
        assertEquals(1, s.globalSequence());
        AppendRequest keyedToo = new AppendRequest(new Coordinate("f", "scope-a"), KIND, new byte[] {8},
                AppendOptions.NONE.withIdempotencyKey("k-2"));
        List<AppendReceipt> batch = s.append(passed(GateSet.empty().evaluate(List.of(keyedToo,
                new AppendRequest(new Coordinate("g", "scope-a"), KIND, new byte[] {9},
                        AppendOptions.NONE.withIdempotencyKey("k-3"))), Caller.ANONYMOUS)));
        List<AppendReceipt> repeated = s.append(passed(GateSet.empty().evaluate(List.of(keyedToo,
                new AppendRequest(new Coordinate("g", "scope-a"), KIND, new byte[] {9},
                        AppendOptions.NONE.withIdempotencyKey("k-3"))), Caller.ANONYMOUS)));
        assertEquals(batch.stream().map(AppendReceipt::eventId).toList(),
                repeated.stream().map(AppendReceipt::eventId).toList(), "a keyed batch repeated whole replays its receipts");
        assertEquals(3, s.globalSequence(), "the repeat appended nothing");
        assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, assertThrows(StoreException.class,
                () -> s.append(passed(GateSet.empty().evaluate(List.of(keyedToo, request("h", "x")), Caller.ANONYMOUS))))
                .code(), "a batch repeating some used keys but not all is refused");
        assertEquals(3, s.globalSequence(), "the refused batch appended nothing");
        AppendRequest reserved = new AppendRequest(new Coordinate("e", "scope-a"), new EventKind(0x0001), new byte[0]);
        assertEquals(ErrorCode.RESERVED_KIND, assertThrows(StoreException.class,
                () -> GateSet.empty().evaluate(List.of(reserved), Caller.ANONYMOUS)).code(),
                "nor for a kind reserved to the store");
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                () -> GateSet.empty().evaluate(List.of(), Caller.ANONYMOUS)).code(), "nor for no request at all");
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                () -> GateSet.empty().bypass(Arrays.asList(keyed, null), "reason")).code(), "nor for a null request");
    }

    @Test
    void aReceiptIsConsumedByItsFirstAppend() {
        EventStore s = open();
        Receipt r = passed(GateSet.empty().evaluate(List.of(request("e", "x")), Caller.ANONYMOUS));
        s.append(r);
        StoreException second = assertThrows(StoreException.class, () -> s.append(r));
        assertEquals(ErrorCode.RECEIPT_CONSUMED, second.code());
        assertEquals("receipt-consumed", second.code().code());
        assertEquals(ErrorCode.RECEIPT_CONSUMED, assertThrows(StoreException.class, () -> s.appendAsync(r)).code());
        assertEquals(1, s.globalSequence(), "the second use stored nothing");
    }

    @Test
    void concurrentUsesOfOneReceiptAppendOnce() throws Exception {
        EventStore s = open();
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                Receipt r = passed(GateSet.empty().evaluate(List.of(request("e" + round, "x")), Caller.ANONYMOUS));
                CountDownLatch go = new CountDownLatch(1);
                AtomicInteger consumedErrors = new AtomicInteger();
                List<Future<?>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    fs.add(pool.submit(() -> {
                        go.await();
                        try {
                            s.append(r);
                        } catch (StoreException e) {
                            if (e.code() != ErrorCode.RECEIPT_CONSUMED) {
                                throw e;
                            }
                            consumedErrors.incrementAndGet();
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> f : fs) {
                    f.get(30, TimeUnit.SECONDS);
                }
                assertEquals(threads - 1, consumedErrors.get(), "round " + round + ": all but one use must be refused");
                assertEquals(round + 1L, s.globalSequence(), "round " + round + ": exactly one append per receipt");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReceiptCannotBeCreatedOutsideTheGateSet() throws Exception {
        assertTrue(Modifier.isFinal(Receipt.class.getModifiers()), "Receipt must be final so it cannot be subclassed");
        for (Constructor<?> c : Receipt.class.getDeclaredConstructors()) {
            assertFalse(Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers()),
                    "Receipt constructor " + c + " must not be reachable from outside the package");
            assertEquals(GateSet.Seal.class, c.getParameterTypes()[0],
                    "every Receipt constructor must demand the GateSet's seal: " + c);
        }
        for (Constructor<?> c : GateSet.Seal.class.getDeclaredConstructors()) {
            assertTrue(Modifier.isPrivate(c.getModifiers()), "only GateSet may create a seal: " + c);
        }
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                () -> new Receipt(null, List.of(request("e", "x")), List.of(), null)).code(),
                "even package code cannot create a receipt without the seal");
        assertFalse(Cloneable.class.isAssignableFrom(Receipt.class), "a receipt must not be cloneable");
        assertFalse(java.io.Serializable.class.isAssignableFrom(Receipt.class), "a receipt must not be serializable");
    }

    @Test
    void aReceiptsRequestsCannotChangeAfterEvaluation() {
        EventStore s = open();
        byte[] payload = {1, 2, 3};
        List<AppendRequest> requests = new ArrayList<>(List.of(
                new AppendRequest(new Coordinate("e", "scope-a"), KIND, payload)));
        Receipt r = passed(GateSet.empty().evaluate(requests, Caller.ANONYMOUS));
        requests.add(request("intruder", "x"));
        payload[0] = 99;
        assertThrows(UnsupportedOperationException.class, () -> r.requests().add(request("intruder", "y")));
        assertThrows(UnsupportedOperationException.class, () -> r.requests().set(0, request("intruder", "z")));
        r.requests().get(0).payload()[1] = 99;
        assertEquals(1, r.requests().size(), "the caller's list is copied at evaluation");
        List<AppendReceipt> out = s.append(r);
        assertEquals(1, out.size());
        assertArrayEquals(new byte[] {1, 2, 3}, s.get(EventLookup.of(out.get(0).eventId())).orElseThrow().payload(),
                "the stored payload is the one the gates saw");
        assertTrue(s.readEntity(EntityQuery.of("intruder").withLimit(10)).isEmpty());
    }

    @Test
    void aDenialStoresNothing() throws Exception {
        EventStore s = open();
        GateSet gates = GateSet.of(List.of(new Recording("deny-all", new ArrayList<>())));
        GateDecision d = gates.evaluate(List.of(request("e", "x")), Caller.ANONYMOUS);
        assertFalse(d.passed());
        assertInstanceOf(GateDecision.Denied.class, d);
        assertEquals(0, s.globalSequence(), "a denial appends nothing");
        s.sync();
        assertEquals(List.of(), TestFiles.frames(SegmentFiles.path(dir, 1)), "a denial writes no frame to the log");
    }

    @Test
    void gatesSeeTheCallerAndABrokenGateFailsClosed() {
        Gate adminsOnly = new Gate() {
            @Override
            public String name() {
                return "admins-only";
            }

            @Override
            public Optional<Denial> evaluate(AppendContext c) {
                return c.caller().hasRole("admin") ? Optional.empty()
                        : Optional.of(new Denial(name(), "forbidden", c.caller().name() + " is no admin"));
            }
        };
        GateSet gates = GateSet.of(List.of(adminsOnly));
        assertTrue(gates.evaluate(List.of(request("e", "x")), new Caller("ann", Set.of("admin"), Set.of())).passed());
        assertEquals("forbidden", assertInstanceOf(GateDecision.Denied.class,
                gates.evaluate(List.of(request("e", "x")), Caller.ANONYMOUS)).denial().code());

        Gate broken = new Gate() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public Optional<Denial> evaluate(AppendContext c) {
                throw new IllegalStateException("boom");
            }
        };
        Denial d = assertInstanceOf(GateDecision.Denied.class,
                GateSet.of(List.of(broken)).evaluate(List.of(request("e", "x")), Caller.ANONYMOUS)).denial();
        assertEquals(GateSet.GATE_ERROR, d.code(), "a gate that throws denies instead of letting the append through");
        assertEquals("broken", d.gate());
    }

    @Test
    void aBypassNeedsAValidReason() {
        GateSet gates = GateSet.of(List.of(new Recording("deny-all", new ArrayList<>())));
        List<AppendRequest> one = List.of(request("e", "x"));
        for (String bad : Arrays.asList(null, "", "   ", "line\nbreak", "x".repeat(256), "é".repeat(128))) {
            assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class, () -> gates.bypass(one, bad),
                    "reason " + bad).code());
        }
        Receipt r = gates.bypass(one, "é".repeat(127));
        assertEquals(List.of(), r.gatesPassed(), "a bypass passes no gate");
        assertEquals(Optional.of("é".repeat(127)), r.bypassReason(), "254 UTF-8 bytes is allowed");
    }

    @Test
    void aBypassReasonIsStoredWithEveryEventAndReadBackAfterReopen() {
        EventStore s = open();
        GateSet gates = GateSet.of(List.of(new Recording("deny-all", new ArrayList<>())));
        String reason = "incident-4711: replay of lost orders";
        s.append(new Coordinate("a", "scope-a"), KIND, new byte[] {0});
        List<AppendReceipt> out = s.append(gates.bypass(List.of(request("a", "1"), request("b", "2")), reason));
        AppendReceipt plain = s.append(passed(GateSet.empty().evaluate(List.of(request("a", "3")), Caller.ANONYMOUS)))
                .get(0);
        for (int pass = 0; pass < 2; pass++) {
            for (AppendReceipt rc : out) {
                StoredEvent e = s.get(EventLookup.of(rc.eventId())).orElseThrow();
                assertEquals(reason, e.bypassReason(), "pass " + pass + ": the reason is stored with the event");
                assertEquals(Optional.of(reason), e.bypass());
            }
            assertNull(s.get(EventLookup.of(plain.eventId())).orElseThrow().bypassReason(), "later events carry no reason");
            List<String> reasons = s.read(Region.all()).stream().map(StoredEvent::bypassReason).toList();
            assertEquals(Arrays.asList(null, reason, reason, null), reasons);
            assertTrue(s.verify(EntityQuery.of("a")).valid(), "pass " + pass + ": the chain, which covers the reason, verifies");
            assertTrue(s.verify(EntityQuery.of("b")).valid());
            s.close();
            s = EventStore.open(StoreConfig.defaults(dir));
            open.add(s);
        }
    }

    @Test
    void theChainHashCoversABypassReasonOnlyWhenPresent() {
        EventHasher hasher = new EventHasher();
        LogRecord r = GoldenSample.record();
        byte[] plain = new byte[32];
        hasher.hash(r, null, null, plain);
        r.bypassReason = "audit";
        byte[] withReason = new byte[32];
        hasher.hash(r, null, null, withReason);
        r.bypassReason = "audiT";
        byte[] otherReason = new byte[32];
        hasher.hash(r, null, null, otherReason);
        assertFalse(Arrays.equals(plain, withReason), "adding a reason changes the hash");
        assertFalse(Arrays.equals(withReason, otherReason), "changing the reason changes the hash");
        r.bypassReason = null;
        byte[] again = new byte[32];
        hasher.hash(r, null, null, again);
        assertArrayEquals(plain, again, "without a reason the hash is the format-v1 hash (see FormatGoldenTest)");

        GrowableBuffer buf = new GrowableBuffer(256);
        r.bypassReason = "audit";
        int at = new FrameCodec(buf).encode(r, null, null);
        LogRecord back = new LogRecord();
        FrameCodec.decodeBody(buf.array(), at + FrameCodec.HEADER_BYTES, buf.size() - at - FrameCodec.HEADER_BYTES,
                back, true);
        assertEquals("audit", back.bypassReason, "the bypass key round-trips through the frame codec");
    }

    private static Receipt passed(GateDecision d) {
        return assertInstanceOf(GateDecision.Passed.class, d, "expected the gates to pass, got " + d).receipt();
    }
}
