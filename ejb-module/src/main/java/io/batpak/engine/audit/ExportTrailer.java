package io.batpak.engine.audit;

import io.batpak.engine.Coordinate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The last line of an export. Its signed part, the <em>canonical trailer bytes</em>, is the UTF-8
 * of {@code {"format":"batpak-audit-export/1","subject":{…},"upto":G,"events":N,"heads":[…],"key":"…"}}
 * with heads sorted by scope, then entity (Java {@code String} order), no spaces; the line is
 * {@code {"trailer":} + those bytes + {@code ,"signature":"<base64 Ed25519 signature>"}}.
 * {@code upto} is the store's global sequence the export was taken at, {@code key} the signing
 * key's fingerprint ({@link AuditKey#fingerprint}). Immutable.
 */
public record ExportTrailer(ExportSubject subject, long upTo, long events, List<ChainHead> heads, String keyFingerprint) {
    /** The format name in every trailer; a new line shape gets a new name. */
    public static final String FORMAT = "batpak-audit-export/1";
    static final String LINE_START = "{\"trailer\":";
    private static final Comparator<ChainHead> ORDER = Comparator
            .comparing((ChainHead h) -> h.coordinate().scope()).thenComparing(h -> h.coordinate().entity());

    public ExportTrailer {
        heads = heads.stream().sorted(ORDER).toList();
    }

    /** The bytes the signature covers. */
    public byte[] canonicalBytes() {
        StringBuilder b = new StringBuilder(128 + heads.size() * 200);
        b.append("{\"format\":\"").append(FORMAT).append("\",\"subject\":");
        subject.appendJson(b);
        b.append(",\"upto\":").append(upTo).append(",\"events\":").append(events).append(",\"heads\":[");
        for (int i = 0; i < heads.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            heads.get(i).appendJson(b);
        }
        Json.string(b.append("],\"key\":"), keyFingerprint).append('}');
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The whole trailer line (without its newline) with {@code signature}. */
    byte[] line(byte[] signature) {
        return (LINE_START + new String(canonicalBytes(), StandardCharsets.UTF_8) + ",\"signature\":\""
                + Base64.getEncoder().encodeToString(signature) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** A parsed trailer line: the trailer and its signature. */
    record Signed(ExportTrailer trailer, byte[] signature) {
    }

    /** Parses a trailer line; fails unless it is exactly {@link #line} of what it parses to. */
    static Signed decode(byte[] line) throws EventLine.BadLine {
        Object parsed;
        try {
            parsed = Json.parse(new String(line, StandardCharsets.UTF_8));
        } catch (Json.ParseException ex) {
            throw new EventLine.BadLine("trailer is not JSON: " + ex.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> outer) || !(outer.get("trailer") instanceof Map<?, ?> t)) {
            throw new EventLine.BadLine("trailer has no \"trailer\" object");
        }
        Map<String, Object> o = cast(t);
        Object format = o.get("format");
        if (!FORMAT.equals(format)) {
            throw new EventLine.BadLine("unknown export format " + format + " (this verifier reads " + FORMAT + ")");
        }
        if (!(o.get("subject") instanceof Map<?, ?> s) || !(o.get("heads") instanceof List<?> rawHeads)) {
            throw new EventLine.BadLine("trailer lacks its subject or heads");
        }
        Map<String, Object> subj = cast(s);
        ExportSubject subject;
        List<ChainHead> heads = new ArrayList<>();
        byte[] signature;
        try {
            subject = new ExportSubject(subj.get("entity") == null ? null : EventLine.string(subj, "entity"),
                    subj.get("scope") == null ? null : EventLine.string(subj, "scope"));
            for (Object h : rawHeads) {
                if (!(h instanceof Map<?, ?> hm)) {
                    throw new EventLine.BadLine("a head is not an object");
                }
                Map<String, Object> head = cast(hm);
                heads.add(new ChainHead(new Coordinate(EventLine.string(head, "entity"), EventLine.string(head, "scope")),
                        EventLine.number(head, "from"), EventLine.hex32(head, "from_prev"), EventLine.number(head, "seq"),
                        EventLine.hex32(head, "hash")));
            }
            signature = Base64.getDecoder().decode(EventLine.string(cast(outer), "signature"));
        } catch (RuntimeException ex) {
            throw new EventLine.BadLine("trailer holds an invalid field: " + ex.getMessage());
        }
        ExportTrailer trailer = new ExportTrailer(subject, EventLine.number(o, "upto"), EventLine.number(o, "events"),
                heads, EventLine.string(o, "key"));
        if (!java.util.Arrays.equals(trailer.line(signature), line)) {
            throw new EventLine.BadLine("trailer is not in the canonical form");
        }
        return new Signed(trailer, signature);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }
}
