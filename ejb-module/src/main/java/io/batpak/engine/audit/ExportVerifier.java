package io.batpak.engine.audit;

import io.batpak.engine.Coordinate;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.log.EventHasher;
import io.batpak.engine.util.Hex;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks an export against a public key, reading it once as a stream and keeping one chain state
 * per entity. Per event line, in order: it is the canonical line of the event it parses to, its
 * global sequence rises, its hash is the one {@link EventHasher#hashOf} recomputes from the line's
 * fields, and it links to the entity's previous line (sequence + 1, prev = that line's hash). Then
 * the trailer: it is the last line and canonical, its event count and chain heads (first sequence,
 * first prev hash, last sequence, last hash per entity) are exactly what the lines showed, its key
 * fingerprint is the given key's, and its signature verifies. The first failure is reported with
 * its 1-based line number. Not thread-safe: one instance per export checked.
 */
public final class ExportVerifier {
    /** Longest line read; a longer one is reported rather than buffered. */
    static final int MAX_LINE_BYTES = 64 << 20;

    private final PublicKey key;
    /** Owned by the verifying thread: per entity, the head as the lines so far show it. */
    private final Map<Coordinate, ChainHead> chains = new HashMap<>();

    public ExportVerifier(PublicKey key) {
        this.key = key;
    }

    /** The verdict: {@code ok}, or the first broken line and why. */
    public record Report(boolean ok, long events, int entities, long brokenLine, String reason) {
        static Report broken(long line, String reason) {
            return new Report(false, 0, 0, line, reason);
        }

        @Override
        public String toString() {
            return ok ? "OK " + events + " events, " + entities + " entities" : "line " + brokenLine + ": " + reason;
        }
    }

    /** Verifies the export read from {@code in} (not closed here). */
    public Report verify(InputStream in) throws IOException {
        chains.clear();
        BufferedInputStream s = new BufferedInputStream(in, 1 << 16);
        ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
        long lineNo = 0;
        long events = 0;
        long lastGlobal = 0;
        while (true) {
            lineNo++;
            int end = readLine(s, buf);
            byte[] line = buf.toByteArray();
            if (end == -1 && line.length == 0) {
                return Report.broken(lineNo, "the export ends without a trailer (cut short?)");
            }
            if (end == -2) {
                return Report.broken(lineNo, "line longer than " + MAX_LINE_BYTES + " bytes");
            }
            if (end == -1) {
                return Report.broken(lineNo, "the last line has no newline (cut short?)");
            }
            if (startsWith(line, ExportTrailer.LINE_START)) {
                String bad = checkTrailer(line, events);
                if (bad != null) {
                    return Report.broken(lineNo, bad);
                }
                buf.reset();
                if (s.read() != -1) {
                    return Report.broken(lineNo + 1, "data after the trailer");
                }
                return new Report(true, events, chains.size(), -1, null);
            }
            StoredEvent e;
            try {
                e = EventLine.decode(line);
            } catch (EventLine.BadLine ex) {
                return Report.broken(lineNo, ex.getMessage());
            }
            if (e.globalSequence() <= lastGlobal) {
                return Report.broken(lineNo, "global sequence " + e.globalSequence() + " does not rise above "
                        + lastGlobal + " (lines reordered or repeated?)");
            }
            lastGlobal = e.globalSequence();
            byte[] computed = EventHasher.hashOf(e);
            if (!Arrays.equals(computed, e.hash())) {
                return Report.broken(lineNo, "hash of " + e.coordinate() + " sequence " + e.sequence()
                        + " does not match its content: line says " + Hex.encode(e.hash()) + ", content hashes to "
                        + Hex.encode(computed));
            }
            ChainHead before = chains.get(e.coordinate());
            if (before != null) {
                if (e.sequence() != before.lastSequence() + 1) {
                    return Report.broken(lineNo, e.coordinate() + " sequence " + e.sequence() + " follows "
                            + before.lastSequence() + " (an event is missing)");
                }
                if (!Arrays.equals(e.prevHash(), before.lastHash())) {
                    return Report.broken(lineNo, e.coordinate() + " sequence " + e.sequence()
                            + " does not link to the hash of sequence " + before.lastSequence());
                }
            }
            chains.put(e.coordinate(), new ChainHead(e.coordinate(),
                    before == null ? e.sequence() : before.fromSequence(),
                    before == null ? e.prevHash() : before.fromPrevHash(), e.sequence(), e.hash()));
            events++;
            buf.reset();
        }
    }

    /** Null if the trailer line is sound for what the event lines showed, else why not. */
    private String checkTrailer(byte[] line, long events) {
        ExportTrailer.Signed signed;
        try {
            signed = ExportTrailer.decode(line);
        } catch (EventLine.BadLine ex) {
            return ex.getMessage();
        }
        ExportTrailer t = signed.trailer();
        String given = AuditKey.fingerprint(key);
        if (!given.equals(t.keyFingerprint())) {
            return "signed by the key with fingerprint " + t.keyFingerprint() + ", not the given key " + given;
        }
        if (!AuditKey.verify(key, t.canonicalBytes(), signed.signature())) {
            return "the signature does not verify with the given key";
        }
        if (t.events() != events) {
            return "trailer counts " + t.events() + " events, the export holds " + events;
        }
        if (t.heads().size() != chains.size()) {
            return "trailer lists " + t.heads().size() + " entities, the export holds " + chains.size();
        }
        for (ChainHead h : t.heads()) {
            ExportSubject subject = t.subject();
            if (subject.scope() != null && !subject.scope().equals(h.coordinate().scope())
                    || subject.entity() != null && !subject.entity().equals(h.coordinate().entity())) {
                return "the export of " + subject + " holds events of " + h.coordinate();
            }
            ChainHead seen = chains.get(h.coordinate());
            if (seen == null || !seen.sameAs(h)) {
                return "trailer head " + h + " does not match the lines (" + (seen == null ? "no events" : seen) + ")";
            }
        }
        return null;
    }

    /**
     * Reads up to the next newline into {@code buf} (without it): 0 after a newline, -1 at the end
     * of the stream, -2 when the line passes {@link #MAX_LINE_BYTES}.
     */
    private static int readLine(InputStream s, ByteArrayOutputStream buf) throws IOException {
        buf.reset();
        while (true) {
            int b = s.read();
            if (b == -1) {
                return -1;
            }
            if (b == '\n') {
                return 0;
            }
            if (buf.size() >= MAX_LINE_BYTES) {
                return -2;
            }
            buf.write(b);
        }
    }

    private static boolean startsWith(byte[] line, String prefix) {
        byte[] p = prefix.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return line.length >= p.length && Arrays.equals(line, 0, p.length, p, 0, p.length);
    }
}
