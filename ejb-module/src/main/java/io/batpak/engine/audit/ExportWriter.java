package io.batpak.engine.audit;

import io.batpak.engine.Coordinate;
import io.batpak.engine.StoredEvent;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes one export to a stream: {@link #write} an event line per event, in ascending global
 * sequence, then {@link #finish} the signed trailer (format in {@link EventLine} and
 * {@link ExportTrailer}). Lines go out as they are written (through a 64 KiB buffer); the writer
 * keeps only one chain head per exported entity, never the events. It writes what it is given: a
 * store whose chain is damaged gives an export the verifier refuses, which is the point.
 * Not thread-safe: one thread writes one export. Does not close the stream.
 */
public final class ExportWriter {
    private final OutputStream out;
    private final AuditKey key;
    private final ExportSubject subject;
    private final long upTo;
    /** Owned by the writing thread: per entity, the first and the last event written. */
    private final Map<Coordinate, Range> chains = new HashMap<>();
    /** Owned by the writing thread. */
    private long events;
    /** Owned by the writing thread: the last global sequence written, to refuse an out-of-order call. */
    private long lastGlobalSequence;
    /** Owned by the writing thread. */
    private boolean finished;

    /** Per entity: the first event's sequence and prev hash, the last one's sequence and hash. */
    private static final class Range {
        final long from;
        final byte[] fromPrev;
        long last;
        byte[] lastHash;

        Range(StoredEvent e) {
            from = e.sequence();
            fromPrev = e.prevHash();
            last = e.sequence();
            lastHash = e.hash();
        }
    }

    /**
     * @param upTo the store's global sequence the export is taken at (every written event's is at
     *             most this); recorded in the trailer
     */
    public ExportWriter(OutputStream out, AuditKey key, ExportSubject subject, long upTo) {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.key = key;
        this.subject = subject;
        this.upTo = upTo;
    }

    /** Writes the event's line. Events must come in ascending global sequence. */
    public void write(StoredEvent e) throws IOException {
        if (finished) {
            throw new IllegalStateException("export already finished");
        }
        if (e.globalSequence() <= lastGlobalSequence) {
            throw new IllegalArgumentException("events must come in ascending global sequence: "
                    + e.globalSequence() + " after " + lastGlobalSequence);
        }
        lastGlobalSequence = e.globalSequence();
        Range r = chains.get(e.coordinate());
        if (r == null) {
            chains.put(e.coordinate(), new Range(e));
        } else {
            r.last = e.sequence();
            r.lastHash = e.hash();
        }
        events++;
        out.write(EventLine.encode(e));
        out.write('\n');
    }

    /** Writes the signed trailer and flushes; returns it. No event may follow. */
    public ExportTrailer finish() throws IOException {
        if (finished) {
            throw new IllegalStateException("export already finished");
        }
        finished = true;
        List<ChainHead> heads = new ArrayList<>(chains.size());
        chains.forEach((c, r) -> heads.add(new ChainHead(c, r.from, r.fromPrev, r.last, r.lastHash)));
        ExportTrailer t = new ExportTrailer(subject, upTo, events, heads, key.fingerprint());
        out.write(t.line(key.sign(t.canonicalBytes())));
        out.write('\n');
        out.flush();
        return t;
    }
}
