package io.batpak.engine.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Coordinate;
import io.batpak.engine.StoredEvent;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Every tampered export is refused, every untampered one accepted. Exports are random chains over a
 * few entities (random payloads, causes, bypass reasons, attributes); tampering is one byte changed
 * at a random position, a random line removed, duplicated or swapped with its neighbour, or the
 * file cut short. The verifier must name the first line that differs from the original (or an
 * earlier one never, and the trailer when only it or the line set changed).
 */
class ExportTamperProperties {
    private static final AuditKey KEY = AuditKey.generate();

    @Property(tries = 200)
    void untamperedExportsVerify(@ForAll("seeds") long seed, @ForAll @IntRange(min = 0, max = 40) int size)
            throws IOException {
        List<StoredEvent> events = randomEvents(new Random(seed), size);
        byte[] export = ExportSamples.export(events, KEY, ExportSubject.scope(null));
        ExportVerifier.Report r = verify(export);
        assertTrue(r.ok(), "an untampered export must verify: " + r);
        assertEquals(size, r.events());
    }

    @Property(tries = 1000)
    void aChangedByteIsCaughtAtItsLine(@ForAll("seeds") long seed, @ForAll @IntRange(min = 0, max = 12) int size,
                                       @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int where,
                                       @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
        byte[] export = ExportSamples.export(randomEvents(new Random(seed), size), KEY, ExportSubject.scope(null));
        int at = where % export.length;
        byte[] tampered = export.clone();
        tampered[at] ^= (byte) xor;
        ExportVerifier.Report r = verify(tampered);
        assertFalse(r.ok(), "byte " + at + " changed (xor " + xor + ") yet the export verified");
        long line = lineOf(export, at);
        // A changed newline merges or splits lines, so the report may name the line it starts or the next.
        assertTrue(r.brokenLine() == line || export[at] == '\n' && r.brokenLine() == line + 1
                        || tampered[at] == '\n' && r.brokenLine() == line,
                "byte " + at + " of line " + line + " changed; reported: " + r);
    }

    @Property(tries = 500)
    void lineEditsAreCaught(@ForAll("seeds") long seed, @ForAll @IntRange(min = 2, max = 12) int size,
                            @ForAll @IntRange(min = 0, max = 3) int edit, @ForAll @IntRange(min = 0, max = 100) int which)
            throws IOException {
        byte[] export = ExportSamples.export(randomEvents(new Random(seed), size), KEY, ExportSubject.scope(null));
        List<String> lines = new ArrayList<>(Arrays.asList(new String(export, StandardCharsets.UTF_8).split("\n")));
        int i = which % lines.size(); // may be the trailer
        String what;
        int firstEdited = i + 1; // 1-based: no line before it changed
        switch (edit) {
            case 0 -> {
                lines.remove(i);
                what = "line " + (i + 1) + " removed";
            }
            case 1 -> {
                lines.add(i, lines.get(i));
                what = "line " + (i + 1) + " repeated";
            }
            case 2 -> {
                int j = i == lines.size() - 1 ? i - 1 : i + 1;
                firstEdited = Math.min(i, j) + 1;
                String t = lines.get(i);
                lines.set(i, lines.get(j));
                lines.set(j, t);
                what = "lines " + (i + 1) + " and " + (j + 1) + " swapped";
            }
            default -> {
                lines.subList(i, lines.size()).clear();
                what = "cut before line " + (i + 1);
            }
        }
        byte[] tampered = (String.join("\n", lines) + (lines.isEmpty() ? "" : "\n")).getBytes(StandardCharsets.UTF_8);
        ExportVerifier.Report r = verify(tampered);
        assertFalse(r.ok(), what + " yet the export verified");
        assertTrue(r.brokenLine() >= firstEdited && r.brokenLine() <= lines.size() + 1,
                what + ": reported a line outside the edit: " + r);
    }

    @Property(tries = 50)
    void anotherKeyIsRefused(@ForAll("seeds") long seed) throws IOException {
        byte[] export = ExportSamples.export(randomEvents(new Random(seed), 3), KEY, ExportSubject.scope(null));
        ExportVerifier.Report r = new ExportVerifier(AuditKey.generate().publicKey()).verify(new ByteArrayInputStream(export));
        assertFalse(r.ok(), "an export verified with a key that did not sign it");
        assertEquals(4, r.brokenLine(), r.toString());
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    private static ExportVerifier.Report verify(byte[] export) throws IOException {
        return new ExportVerifier(KEY.publicKey()).verify(new ByteArrayInputStream(export));
    }

    private static long lineOf(byte[] b, int at) {
        long line = 1;
        for (int i = 0; i < at; i++) {
            if (b[i] == '\n') {
                line++;
            }
        }
        return line;
    }

    static List<StoredEvent> randomEvents(Random rnd, int n) {
        ExportSamples.Chains chains = new ExportSamples.Chains();
        String[] entities = {"a", "b:ü", "c \"q\"", "d"};
        String[] scopes = {"s1", "s2"};
        List<StoredEvent> out = new ArrayList<>();
        UUID lastId = null;
        for (int i = 0; i < n; i++) {
            Coordinate c = new Coordinate(entities[rnd.nextInt(entities.length)], scopes[rnd.nextInt(scopes.length)]);
            byte[] payload = new byte[rnd.nextInt(40)];
            rnd.nextBytes(payload);
            UUID id = new UUID(rnd.nextLong(), rnd.nextLong());
            UUID cause = rnd.nextInt(3) == 0 ? lastId : null;
            String bypass = rnd.nextInt(5) == 0 ? "reason " + rnd.nextInt(100) : null;
            Map<String, String> attrs = rnd.nextInt(4) == 0 ? Map.of("k" + rnd.nextInt(9), "v\t" + rnd.nextInt()) : Map.of();
            out.add(chains.next(c, rnd.nextInt(0x10000), i + 1L, id, cause, bypass, attrs, payload));
            lastId = id;
        }
        return out;
    }
}
