package io.batpak.streams;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * The payloads of a group's parking records: failed deliveries ({@code [[partition, offset,
 * reason|nil], …]}) and revived offsets ({@code [[partition, offset], …]}). MessagePack rather than
 * the hand-written JSON of {@link StreamCodec}: these records carry free-form reasons, which
 * msgpack-core encodes without an escaper of our own. Stateless.
 */
final class ParkingCodec {
    /** Longest reason kept, in characters; a longer one is cut. */
    static final int MAX_REASON_CHARS = 500;

    private ParkingCodec() {
    }

    static byte[] failures(List<ConsumerGroup.Failure> failures) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(failures.size());
            for (ConsumerGroup.Failure f : failures) {
                p.packArrayHeader(3).packInt(f.partition()).packLong(f.offset());
                if (f.reason() == null) {
                    p.packNil();
                } else {
                    p.packString(f.reason());
                }
            }
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("packing into memory cannot fail", e);
        }
    }

    static List<ConsumerGroup.Failure> readFailures(byte[] payload) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            int n = u.unpackArrayHeader();
            List<ConsumerGroup.Failure> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                expect(u.unpackArrayHeader(), 3);
                int partition = u.unpackInt();
                long offset = u.unpackLong();
                String reason = u.tryUnpackNil() ? null : u.unpackString();
                out.add(new ConsumerGroup.Failure(partition, offset, reason));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw corrupt("failed-deliveries", e);
        }
    }

    static byte[] offsets(List<long[]> pairs) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(pairs.size());
            for (long[] pair : pairs) {
                p.packArrayHeader(2).packLong(pair[0]).packLong(pair[1]);
            }
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("packing into memory cannot fail", e);
        }
    }

    /** Revived offsets as {@code [partition, offset]} pairs. */
    static List<long[]> readOffsets(byte[] payload) {
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(payload)) {
            int n = u.unpackArrayHeader();
            List<long[]> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                expect(u.unpackArrayHeader(), 2);
                out.add(new long[] {u.unpackLong(), u.unpackLong()});
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw corrupt("revived-offsets", e);
        }
    }

    /** {@code reason} trimmed to what a record keeps (null stays null). */
    static String reason(String reason) {
        return reason == null || reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS);
    }

    private static void expect(int actual, int wanted) {
        if (actual != wanted) {
            throw new IllegalArgumentException("an entry of " + actual + " fields, not " + wanted);
        }
    }

    private static StoreException corrupt(String what, Exception cause) {
        return new StoreException(ErrorCode.CORRUPT_DATA, "a group's " + what + " record does not decode: " + cause.getMessage(), cause);
    }
}
