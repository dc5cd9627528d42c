package io.batpak.engine.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exports from a real store: chains hashed by the writer thread verify through the export (the
 * verifier's recomputation is the writer's), pages join without a gap, and grants decide what an
 * export holds exactly as they decide reads.
 */
class AuditExportsTest {
    private static final AuditKey KEY = AuditKey.generate();
    @TempDir
    Path dir;
    private EventStore store;

    @BeforeEach
    void open() {
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        for (int i = 0; i < 2 * AuditExports.PAGE + 7; i++) { // more than two pages of one entity
            append("acct:1", "orders-eu", i);
            if (i % 3 == 0) {
                append("acct:" + (i % 5), "payroll", i);
            }
        }
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void append(String entity, String scope, int i) {
        store.append(new Coordinate(entity, scope), EventKind.of(1, 1), ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEntityExportSpansPagesAndVerifies() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportTrailer t = AuditExports.entity(store, EntityQuery.of("acct:1").withGrants(ScopeGrants.of(Set.of("orders-*"))),
                KEY, out);
        assertEquals(2 * AuditExports.PAGE + 7, t.events(), "every event of acct:1@orders-eu, across pages");
        assertEquals(1, t.heads().size());
        assertEquals(new Coordinate("acct:1", "orders-eu"), t.heads().get(0).coordinate());
        assertEquals(new ExportSubject("acct:1", "orders-eu"), t.subject());
        ExportVerifier.Report r = verify(out.toByteArray());
        assertTrue(r.ok(), r.toString());
        assertEquals(t.events(), r.events());
    }

    @Test
    void aScopeExportHoldsOnlyGrantedEvents() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ExportTrailer everything = AuditExports.scope(store, null, ScopeGrants.ALL, KEY, all);
        assertEquals(store.globalSequence(), everything.events(), "an export of every scope holds every event");
        assertEquals(store.globalSequence(), everything.upTo());
        assertTrue(verify(all.toByteArray()).ok());

        ByteArrayOutputStream payroll = new ByteArrayOutputStream();
        ExportTrailer p = AuditExports.scope(store, "payroll", ScopeGrants.ALL, KEY, payroll);
        assertEquals(5, p.heads().size(), "acct:0..4 in payroll");
        assertTrue(p.heads().stream().allMatch(h -> h.coordinate().scope().equals("payroll")), p.heads().toString());
        ExportVerifier.Report r = verify(payroll.toByteArray());
        assertTrue(r.ok(), r.toString());
        assertEquals("OK " + p.events() + " events, 5 entities", r.toString());

        ByteArrayOutputStream denied = new ByteArrayOutputStream();
        ExportTrailer none = AuditExports.scope(store, "payroll", ScopeGrants.of(Set.of("orders-*")), KEY, denied);
        assertEquals(0, none.events(), "a scope outside the grants exports as an empty one");
        assertTrue(verify(denied.toByteArray()).ok());

        ByteArrayOutputStream granted = new ByteArrayOutputStream();
        ExportTrailer orders = AuditExports.scope(store, null, ScopeGrants.of(Set.of("orders-*")), KEY, granted);
        assertEquals(2 * AuditExports.PAGE + 7, orders.events(), "without a scope: every granted scope, nothing else");
    }

    @Test
    void anEntityOutsideTheGrantsExportsEmpty() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportTrailer t = AuditExports.entity(store, EntityQuery.of(new Coordinate("acct:0", "payroll"))
                .withGrants(ScopeGrants.of(Set.of("orders-*"))), KEY, out);
        assertEquals(0, t.events());
        assertTrue(verify(out.toByteArray()).ok());
    }

    private static ExportVerifier.Report verify(byte[] export) throws IOException {
        return new ExportVerifier(KEY.publicKey()).verify(new ByteArrayInputStream(export));
    }
}
