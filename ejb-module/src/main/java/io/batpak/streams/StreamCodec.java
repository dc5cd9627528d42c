package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JSON payloads of the streams' own events (stream and group configuration, group acks; the
 * parking records are {@link ParkingCodec}'s), written
 * and read here without a JSON library so the package stays plain Java. The format is fixed by
 * this class, so the small readers below only have to understand what it writes. Stateless.
 */
final class StreamCodec {
    private static final Pattern NUMBER = Pattern.compile("-?\\d+");

    private StreamCodec() {
    }

    record StoredGroupConfig(GroupConfig config, long[] startOffsets) {
    }

    static byte[] streamConfig(int partitions) {
        return utf8("{\"partitions\":" + partitions + "}");
    }

    static int partitions(byte[] payload) {
        return (int) field(text(payload), "partitions");
    }

    static byte[] groupConfig(GroupConfig c, long[] startOffsets) {
        StringBuilder b = new StringBuilder("{\"ackTimeoutMs\":").append(c.ackTimeoutMs())
                .append(",\"maxInFlight\":").append(c.maxInFlight())
                .append(",\"maxDeliveries\":").append(c.maxDeliveries())
                .append(",\"start\":\"").append(c.start().wireName()).append("\",\"startOffsets\":[");
        for (int i = 0; i < startOffsets.length; i++) {
            b.append(i == 0 ? "" : ",").append(startOffsets[i]);
        }
        return utf8(b.append("]}").toString());
    }

    static StoredGroupConfig readGroupConfig(byte[] payload) {
        String s = text(payload);
        Matcher start = Pattern.compile("\"start\":\"(\\w+)\"").matcher(s);
        if (!start.find()) {
            throw corrupt(s);
        }
        // maxDeliveries came with parking; configurations stored before it never park.
        int maxDeliveries = s.contains("\"maxDeliveries\":") ? (int) field(s, "maxDeliveries") : 0;
        GroupConfig c = new GroupConfig(field(s, "ackTimeoutMs"), (int) field(s, "maxInFlight"), maxDeliveries,
                StartPosition.parse(start.group(1)));
        return new StoredGroupConfig(c, numbersAfter(s, "startOffsets"));
    }

    /** {@code offsets} as {@code [partition, offset]} pairs: even indexes partitions, odd ones offsets. */
    static byte[] acks(List<long[]> pairs) {
        StringBuilder b = new StringBuilder("{\"acks\":[");
        for (int i = 0; i < pairs.size(); i++) {
            b.append(i == 0 ? "[" : ",[").append(pairs.get(i)[0]).append(',').append(pairs.get(i)[1]).append(']');
        }
        return utf8(b.append("]}").toString());
    }

    /** The acked pairs flattened: partition, offset, partition, offset, … */
    static long[] readAcks(byte[] payload) {
        long[] flat = numbersAfter(text(payload), "acks");
        if (flat.length % 2 != 0) {
            throw corrupt(text(payload));
        }
        return flat;
    }

    private static long field(String s, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(s);
        if (!m.find()) {
            throw corrupt(s);
        }
        return Long.parseLong(m.group(1));
    }

    private static long[] numbersAfter(String s, String name) {
        int at = s.indexOf("\"" + name + "\":");
        if (at < 0) {
            throw corrupt(s);
        }
        Matcher m = NUMBER.matcher(s);
        m.region(at + name.length() + 3, s.length());
        long[] out = new long[8];
        int n = 0;
        while (m.find()) {
            if (n == out.length) {
                out = java.util.Arrays.copyOf(out, n * 2);
            }
            out[n++] = Long.parseLong(m.group());
        }
        return java.util.Arrays.copyOf(out, n);
    }

    private static String text(byte[] payload) {
        return new String(payload, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StoreException corrupt(String s) {
        return new StoreException(ErrorCode.CORRUPT_DATA, "a streams bookkeeping event does not decode: "
                + (s.length() > 120 ? s.substring(0, 120) + "…" : s));
    }
}
