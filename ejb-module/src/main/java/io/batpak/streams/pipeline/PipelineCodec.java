package io.batpak.streams.pipeline;

import io.batpak.streams.RecordPacking;
import io.batpak.engine.EventKind;
import io.batpak.streams.StartPosition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;

/**
 * The kinds and MessagePack payloads of a pipeline's records. Kinds 0xE020..0xE025 (category 0xE,
 * reserved to the store; 0xE001..0xE005 are the streams'):
 * <ul>
 *   <li>{@link #DEFINITION} on the pipeline entity: {@code [version, input, [triggers], start,
 *       maxDeliveries, ackTimeoutMs, [[stage, [dependsOn]], …], [startOffsets]]};
 *   <li>{@link #CURSOR} on the pipeline entity: {@code [next offset to scan, per partition]}, the last one wins;
 *   <li>{@link #STARTED} first on an instance entity: {@code [partition, offset, manual]};
 *   <li>{@link #OUTPUT} on an instance entity: {@code [stage, output]} (output as bin);
 *   <li>{@link #FAILED}: {@code [stage, reason|nil]}; {@link #REVIVED}: {@code [stage]}.
 * </ul>
 * Stateless.
 */
final class PipelineCodec {
    static final EventKind DEFINITION = EventKind.of(0xE, 0x020);
    static final EventKind STARTED = EventKind.of(0xE, 0x021);
    static final EventKind OUTPUT = EventKind.of(0xE, 0x022);
    static final EventKind FAILED = EventKind.of(0xE, 0x023);
    static final EventKind REVIVED = EventKind.of(0xE, 0x024);
    static final EventKind CURSOR = EventKind.of(0xE, 0x025);

    record StoredDefinition(PipelineDefinition definition, long[] startOffsets) {
    }

    record Started(int partition, long offset, boolean manual) {
    }

    record Output(String stage, byte[] output) {
    }

    record Failed(String stage, String reason) {
    }

    private PipelineCodec() {
    }

    private static byte[] pack(RecordPacking.Writer w) {
        return RecordPacking.pack(w);
    }

    private static <T> T unpack(String what, byte[] payload, RecordPacking.Reader<T> r) {
        return RecordPacking.unpack("a pipeline's " + what, payload, r);
    }

    static byte[] definition(PipelineDefinition d, long[] startOffsets) {
        return pack(p -> {
            p.packArrayHeader(8).packInt(d.version()).packString(d.input());
            p.packArrayHeader(d.triggers().size());
            for (int k : d.triggers()) {
                p.packInt(k);
            }
            p.packString(d.start().wireName()).packInt(d.maxDeliveries()).packLong(d.ackTimeoutMs());
            p.packArrayHeader(d.stages().size());
            for (StageSpec s : d.stages()) {
                p.packArrayHeader(2).packString(s.name()).packArrayHeader(s.dependsOn().size());
                for (String dep : s.dependsOn()) {
                    p.packString(dep);
                }
            }
            packLongs(p, startOffsets);
        });
    }

    static StoredDefinition readDefinition(byte[] payload) {
        return unpack("definition", payload, u -> {
            expect(u.unpackArrayHeader(), 8);
            int version = u.unpackInt();
            String input = u.unpackString();
            List<Integer> triggers = new ArrayList<>();
            for (int i = u.unpackArrayHeader(); i > 0; i--) {
                triggers.add(u.unpackInt());
            }
            StartPosition start = StartPosition.parse(u.unpackString());
            int maxDeliveries = u.unpackInt();
            long ackTimeout = u.unpackLong();
            List<StageSpec> stages = new ArrayList<>();
            for (int i = u.unpackArrayHeader(); i > 0; i--) {
                expect(u.unpackArrayHeader(), 2);
                String name = u.unpackString();
                List<String> deps = new ArrayList<>();
                for (int j = u.unpackArrayHeader(); j > 0; j--) {
                    deps.add(u.unpackString());
                }
                stages.add(new StageSpec(name, deps));
            }
            return new StoredDefinition(new PipelineDefinition(version, input, triggers, start, maxDeliveries,
                    ackTimeout, stages), unpackLongs(u));
        });
    }

    static byte[] cursor(long[] next) {
        return pack(p -> packLongs(p, next));
    }

    static long[] readCursor(byte[] payload) {
        return unpack("cursor", payload, PipelineCodec::unpackLongs);
    }

    static byte[] started(int partition, long offset, boolean manual) {
        return pack(p -> p.packArrayHeader(3).packInt(partition).packLong(offset).packBoolean(manual));
    }

    static Started readStarted(byte[] payload) {
        return unpack("start", payload, u -> {
            expect(u.unpackArrayHeader(), 3);
            return new Started(u.unpackInt(), u.unpackLong(), u.unpackBoolean());
        });
    }

    static byte[] output(String stage, byte[] output) {
        return pack(p -> p.packArrayHeader(2).packString(stage).packBinaryHeader(output.length).writePayload(output));
    }

    static Output readOutput(byte[] payload) {
        return unpack("output", payload, u -> {
            expect(u.unpackArrayHeader(), 2);
            String stage = u.unpackString();
            return new Output(stage, u.readPayload(u.unpackBinaryHeader()));
        });
    }

    static byte[] failed(String stage, String reason) {
        return pack(p -> {
            p.packArrayHeader(2).packString(stage);
            if (reason == null) {
                p.packNil();
            } else {
                p.packString(reason);
            }
        });
    }

    static Failed readFailed(byte[] payload) {
        return unpack("failure", payload, u -> {
            expect(u.unpackArrayHeader(), 2);
            String stage = u.unpackString();
            return new Failed(stage, u.tryUnpackNil() ? null : u.unpackString());
        });
    }

    static byte[] revived(String stage) {
        return pack(p -> p.packArrayHeader(1).packString(stage));
    }

    static String readRevived(byte[] payload) {
        return unpack("replay", payload, u -> {
            expect(u.unpackArrayHeader(), 1);
            return u.unpackString();
        });
    }

    private static void packLongs(MessageBufferPacker p, long[] values) throws IOException {
        p.packArrayHeader(values.length);
        for (long v : values) {
            p.packLong(v);
        }
    }

    private static long[] unpackLongs(MessageUnpacker u) throws IOException {
        long[] out = new long[u.unpackArrayHeader()];
        for (int i = 0; i < out.length; i++) {
            out[i] = u.unpackLong();
        }
        return out;
    }

    private static void expect(int actual, int wanted) {
        if (actual != wanted) {
            throw new IllegalArgumentException("a record of " + actual + " fields, not " + wanted);
        }
    }
}
