package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.QueryJson;
import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.ScopeGrants;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParser.Event;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Reads a {@code POST /batches} body ({@code {"events":[…],"condition":…}}, JSON or MessagePack)
 * as a stream, straight from the request: each element of {@code events} is built as one small
 * JSON object and turned into an append request ({@link BatchEvents}) before the next is read, so
 * neither the body's bytes nor a tree of it is ever held whole. Every answer is the one the body
 * read whole and parsed as a tree ({@link Bodies#object}) gets, in the same order: over the size
 * limit 413; empty 400; not JSON or MessagePack 415; not UTF-8 400; malformed anywhere 400; not an
 * object 400; then the {@code events} checks. A duplicated field counts by its last occurrence, as
 * in the tree. Stateless.
 */
final class BatchBodies {
    private BatchBodies() {
    }

    /** A batch as read: its requests and its {@code condition} field (null if absent). */
    record Batch(List<AppendRequest> requests, JsonValue condition) {
        /** The batch's condition within the caller's grants, or null. */
        AppendCondition condition(ScopeGrants grants) {
            return condition == null ? null
                    : QueryJson.condition(JSON.createObjectBuilder().add("condition", condition).build(), grants);
        }
    }

    /** The batch in {@code body}, of media type {@code type} (null is JSON). */
    static Batch read(LimitedBody body, MediaType type) {
        PushbackInputStream in = new PushbackInputStream(body, 1);
        try {
            int first = in.read();
            if (first < 0) {
                throw body.refuse(Bodies.empty());
            }
            in.unread(first);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (Bodies.isMsgpack(type)) {
            return msgpack(in, body);
        }
        if (type != null && !Bodies.isJson(type)) {
            throw body.refuse(Bodies.unsupported(type));
        }
        return json(in, body);
    }

    /** What a body's top level held, before its {@code events} are judged. */
    private record Fields(BatchEvents events, JsonValue condition) {
        Batch batch() {
            return new Batch(events.requests(), condition);
        }
    }

    // ---- JSON

    private static Batch json(InputStream in, LimitedBody body) {
        StrictUtf8Reader text = new StrictUtf8Reader(in);
        Fields fields;
        try (JsonParser p = JSON.createParser(text)) {
            fields = jsonFields(p);
        } catch (RuntimeException e) {
            // Judged as the whole body would be: over the limit first, then not UTF-8, then the parse.
            ProblemException problem = e instanceof ProblemException pe ? pe : Bodies.malformedJson(e);
            text.drain();
            body.finish();
            throw text.invalid() ? Bodies.notUtf8() : problem;
        }
        body.finish();
        return fields.batch();
    }

    private static Fields jsonFields(JsonParser p) {
        if (!p.hasNext()) {
            throw Bodies.noValue();
        }
        if (p.next() != Event.START_OBJECT) {
            skip(p);
            Bodies.endOfJson(p);
            throw Bodies.notObject();
        }
        BatchEvents events = BatchEvents.notArray();
        JsonValue condition = null;
        while (p.next() != Event.END_OBJECT) {
            String key = p.getString();
            Event value = p.next();
            switch (key) {
                case "events" -> events = jsonEvents(p, value);
                case "condition" -> condition = p.getValue();
                default -> skip(p);
            }
        }
        Bodies.endOfJson(p);
        return new Fields(events, condition);
    }

    private static BatchEvents jsonEvents(JsonParser p, Event value) {
        if (value != Event.START_ARRAY) {
            skip(p);
            return BatchEvents.notArray();
        }
        BatchEvents events = BatchEvents.array();
        for (Event e; (e = p.next()) != Event.END_ARRAY; ) {
            if (!events.wants()) {
                skip(p);
                events.skipped();
            } else if (e == Event.START_OBJECT) {
                events.add(p.getObject());
            } else {
                skip(p);
                events.add(JsonValue.NULL);
            }
        }
        return events;
    }

    /**
     * Reads past the value the parser is at without building it, with every check building it makes
     * (each scalar is still materialised: number limits are checked there).
     */
    private static void skip(JsonParser p) {
        int depth = 0;
        Event e = p.currentEvent();
        while (true) {
            switch (e) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case KEY_NAME -> p.getString();
                default -> p.getValue();
            }
            if (depth == 0) {
                return;
            }
            e = p.next();
        }
    }

    // ---- MessagePack

    private static Batch msgpack(InputStream in, LimitedBody body) {
        Fields fields;
        try (MessageUnpacker u = MessagePack.newDefaultUnpacker(in)) {
            fields = msgpackFields(u, body.limit());
        } catch (ProblemException e) {
            throw body.refuse(e);
        } catch (IOException | MessagePackException | IllegalArgumentException e) {
            throw body.refuse(MsgpackJson.malformed(e));
        }
        body.finish();
        return fields.batch();
    }

    private static Fields msgpackFields(MessageUnpacker u, long size) throws IOException {
        // Depths as MsgpackJson.decode counts them: the body 0, its fields 1, the events 2.
        if (MsgpackJson.typeOf(u) != ValueType.MAP) {
            MsgpackJson.read(u, 0, size, false);
            msgpackEnd(u);
            throw Bodies.notObject();
        }
        BatchEvents events = BatchEvents.notArray();
        JsonValue condition = null;
        for (int i = 0, n = u.unpackMapHeader(); i < n; i++) {
            switch (MsgpackJson.key(u)) {
                case "events" -> events = msgpackEvents(u, size);
                case "condition" -> condition = MsgpackJson.read(u, 1, size, true);
                default -> MsgpackJson.read(u, 1, size, false);
            }
        }
        msgpackEnd(u);
        return new Fields(events, condition);
    }

    private static BatchEvents msgpackEvents(MessageUnpacker u, long size) throws IOException {
        if (MsgpackJson.typeOf(u) != ValueType.ARRAY) {
            MsgpackJson.read(u, 1, size, false);
            return BatchEvents.notArray();
        }
        BatchEvents events = BatchEvents.array();
        for (int i = 0, n = u.unpackArrayHeader(); i < n; i++) {
            if (!events.wants()) {
                MsgpackJson.read(u, 2, size, false);
                events.skipped();
            } else if (MsgpackJson.typeOf(u) == ValueType.MAP) {
                events.add(MsgpackJson.read(u, 2, size, true));
            } else {
                MsgpackJson.read(u, 2, size, false);
                events.add(JsonValue.NULL);
            }
        }
        return events;
    }

    private static void msgpackEnd(MessageUnpacker u) throws IOException {
        if (u.hasNext()) {
            throw new ProblemException(Problem.invalid("trailing bytes after the MessagePack document"));
        }
    }
}
