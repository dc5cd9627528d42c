package io.batpak.streams.flow;

import io.batpak.streams.RecordPacking;
import io.batpak.engine.EventKind;
import java.util.HashMap;
import java.util.Map;
import org.msgpack.core.MessagePack;

/**
 * The kinds and MessagePack payloads of a derivation shard's records, all on the shard's entity.
 * Kinds 0xE030..0xE032 (category 0xE, reserved to the store; streams use 0xE001..0xE005, pipelines
 * 0xE020..0xE025):
 * <ul>
 *   <li>{@link #INIT}, the shard entity's first record: {@code [version, derivation, shards, shard]};
 *   <li>{@link #STATE}: {@code [key, value|nil]}, a key's new value (nil: deleted);
 *   <li>{@link #CHECKPOINT}, last in every step's batch: {@code [[source, partition, next], …]},
 *       the whole checkpoint, the last one wins: per stream partition the next offset, per region
 *       source (partition -1, source {@code Shard.regionSource}) the next global sequence.
 * </ul>
 * Snapshots of the state are files, not records ({@link ShardSnapshot}). Stateless.
 */
final class FlowCodec {
    static final EventKind INIT = EventKind.of(0xE, 0x030);
    static final EventKind STATE = EventKind.of(0xE, 0x031);
    static final EventKind CHECKPOINT = EventKind.of(0xE, 0x032);
    private static final int VERSION = 1;

    record Init(String derivation, int shards, int shard) {
    }

    record StateChange(String key, byte[] value) {
    }

    /** A source partition. */
    record Source(String stream, int partition) {
    }

    private FlowCodec() {
    }

    private static byte[] pack(RecordPacking.Writer w) {
        return RecordPacking.pack(w);
    }

    private static <T> T unpack(String what, byte[] payload, RecordPacking.Reader<T> r) {
        return RecordPacking.unpack("a derivation's " + what, payload, r);
    }

    static byte[] init(Init i) {
        return pack(p -> p.packArrayHeader(4).packInt(VERSION).packString(i.derivation()).packInt(i.shards())
                .packInt(i.shard()));
    }

    static Init readInit(byte[] payload) {
        return unpack("init", payload, u -> {
            u.unpackArrayHeader();
            u.unpackInt();
            return new Init(u.unpackString(), u.unpackInt(), u.unpackInt());
        });
    }

    static byte[] state(String key, byte[] value) {
        return pack(p -> {
            p.packArrayHeader(2).packString(key);
            if (value == null) {
                p.packNil();
            } else {
                p.packBinaryHeader(value.length).writePayload(value);
            }
        });
    }

    static StateChange readState(byte[] payload) {
        return unpack("state", payload, u -> {
            u.unpackArrayHeader();
            String key = u.unpackString();
            if (u.tryUnpackNil()) {
                return new StateChange(key, null);
            }
            return new StateChange(key, u.readPayload(u.unpackBinaryHeader()));
        });
    }

    static byte[] checkpoint(Map<Source, Long> next) {
        return pack(p -> {
            p.packArrayHeader(next.size());
            for (Map.Entry<Source, Long> e : next.entrySet()) {
                p.packArrayHeader(3).packString(e.getKey().stream()).packInt(e.getKey().partition())
                        .packLong(e.getValue());
            }
        });
    }

    static Map<Source, Long> readCheckpoint(byte[] payload) {
        return unpack("checkpoint", payload, u -> {
            Map<Source, Long> out = new HashMap<>();
            for (int i = u.unpackArrayHeader(); i > 0; i--) {
                u.unpackArrayHeader();
                out.put(new Source(u.unpackString(), u.unpackInt()), u.unpackLong());
            }
            return out;
        });
    }
}
