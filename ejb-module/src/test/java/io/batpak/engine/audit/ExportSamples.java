package io.batpak.engine.audit;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.HlcTimestamp;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.log.EventHasher;
import io.batpak.engine.log.GoldenSample;
import io.batpak.engine.log.LogRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Deterministic event chains for export tests, hashed by the engine's {@link EventHasher} exactly as
 * the writer thread hashes frames: the golden sample of docs/FORMAT.md first, then events that use
 * every optional field (cause, bypass reason, attributes, non-ASCII, binary payload).
 */
final class ExportSamples {
    private ExportSamples() {
    }

    /** The fixed test key of the golden export (test-only; never used by a server). */
    static AuditKey goldenKey() throws IOException {
        return AuditKey.fromPem(resource("/golden/audit-key.pem"), resource("/golden/audit-key.pub.pem"));
    }

    static String resource(String name) throws IOException {
        try (InputStream in = ExportSamples.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is missing from src/test/resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The golden export's events: four events of two entities in two scopes. */
    static List<StoredEvent> golden() {
        LogRecord r = GoldenSample.record();
        new EventHasher().hash(r, null, null, r.hash);
        StoredEvent first = r.toStoredEvent();
        Chains chains = new Chains();
        chains.adopt(first);
        List<StoredEvent> out = new ArrayList<>();
        out.add(first);
        UUID a = new UUID(0x0193_5a2c_0000_7000L, 0x8000_0000_0000_0002L);
        out.add(chains.next(new Coordinate("door:north", "room:dungeon"), 0x1002, 2, a, first.eventId(), null,
                Map.of(), new byte[] {0, 1, 2, (byte) 0xFF, '"', '\n'}));
        UUID b = new UUID(0x0193_5a2c_0000_7000L, 0x8000_0000_0000_0003L);
        out.add(chains.next(new Coordinate("player:alice", "room:dungeon"), 0xF002, 3, b, null, "migration \"7\"",
                Map.of("ce.type", "com.example.moved", "region", "nörd"), "{\"y\":-1}".getBytes(StandardCharsets.UTF_8)));
        UUID c = new UUID(0x0193_5a2c_0000_7000L, 0x8000_0000_0000_0004L);
        out.add(chains.next(new Coordinate("player:böb", "tenant-2"), 0x1001, 4, c, null, null, Map.of(), new byte[0]));
        return out;
    }

    /** Builds chains: each next event links to the entity's previous one. Not thread-safe. */
    static final class Chains {
        private final Map<Coordinate, StoredEvent> last = new HashMap<>();

        void adopt(StoredEvent e) {
            last.put(e.coordinate(), e);
        }

        StoredEvent next(Coordinate c, int kind, long gseq, UUID id, UUID cause, String bypass,
                         Map<String, String> attrs, byte[] payload) {
            StoredEvent prev = last.get(c);
            long seq = prev == null ? 0 : prev.sequence() + 1;
            byte[] prevHash = prev == null ? new byte[32] : prev.hash();
            long ts = 1_763_800_000_000_000L + gseq * 1000;
            StoredEvent unhashed = new StoredEvent(id, c, new EventKind(kind), seq, gseq, ts,
                    new HlcTimestamp(ts / 1000, (int) (gseq % 3)), id, cause, 0, prevHash, new byte[32], payload, bypass, attrs);
            StoredEvent e = withHash(unhashed, EventHasher.hashOf(unhashed));
            last.put(c, e);
            return e;
        }
    }

    static StoredEvent withHash(StoredEvent e, byte[] hash) {
        return new StoredEvent(e.eventId(), e.coordinate(), e.kind(), e.sequence(), e.globalSequence(), e.timestampUs(),
                e.hlc(), e.correlationId(), e.causationId(), e.flags(), e.prevHash(), hash, e.payload(), e.bypassReason(),
                e.attributes());
    }

    /** The export of {@code events} signed with {@code key}. */
    static byte[] export(List<StoredEvent> events, AuditKey key, ExportSubject subject) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportWriter w = new ExportWriter(out, key, subject, events.isEmpty() ? 0
                : events.get(events.size() - 1).globalSequence());
        for (StoredEvent e : events) {
            w.write(e);
        }
        w.finish();
        return out.toByteArray();
    }
}
