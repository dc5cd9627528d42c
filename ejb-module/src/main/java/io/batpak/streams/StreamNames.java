package io.batpak.streams;

import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;

/**
 * Where streams live in the engine. A stream {@code s} is the metadata entity {@code stream:s} plus
 * one entity per partition, {@code stream:s/0}, {@code stream:s/1}, …; a group {@code g} of it is
 * the entity {@code group:s/g}. All of them have the scope {@code s}, so scope grants over stream
 * names cover them. A stream name may not hold {@code /}, so {@code stream:s/} prefixes only the
 * partitions of {@code s}. Stateless.
 */
final class StreamNames {
    /** Longest stream or group name, in characters. */
    static final int MAX_NAME_CHARS = 200;
    /** A stream's partition count (payload {@code {"partitions":n}}); the highest one stored wins. */
    static final EventKind STREAM_CONFIG = EventKind.of(0xE, 0x001);
    /** A group's configuration; the first one also fixes its start offsets. */
    static final EventKind GROUP_CONFIG = EventKind.of(0xE, 0x002);
    /** Offsets a group acked, as {@code [partition, offset]} pairs. */
    static final EventKind GROUP_ACK = EventKind.of(0xE, 0x003);
    /** Failed deliveries (nacks, ack timeouts) of a group that parks, with their reasons (msgpack). */
    static final EventKind GROUP_FAILED = EventKind.of(0xE, 0x004);
    /** Parked offsets a group made deliverable again (msgpack). */
    static final EventKind GROUP_REVIVED = EventKind.of(0xE, 0x005);
    /** Attribute holding the key an event was published with. */
    static final String KEY_ATTRIBUTE = StreamEvent.KEY_ATTRIBUTE;

    private StreamNames() {
    }

    static String checkStream(String name) {
        check("stream", name);
        if (name.indexOf('/') >= 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a stream name may not contain '/': " + name);
        }
        return name;
    }

    static String checkGroup(String name) {
        check("group", name);
        return name;
    }

    private static void check(String what, String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_CHARS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, what + " name must have 1.." + MAX_NAME_CHARS
                    + " characters");
        }
        Coordinate.validatePart(what, name);
    }

    static Coordinate meta(String stream) {
        return new Coordinate("stream:" + stream, stream);
    }

    static String partitionEntity(String stream, int partition) {
        return "stream:" + stream + "/" + partition;
    }

    static Coordinate partition(String stream, int partition) {
        return new Coordinate(partitionEntity(stream, partition), stream);
    }

    static Coordinate group(String stream, String group) {
        return new Coordinate("group:" + stream + "/" + group, stream);
    }
}
