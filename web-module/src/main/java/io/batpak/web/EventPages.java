package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.EventJson;
import io.batpak.engine.StoredEvent;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonGenerator;
import jakarta.json.stream.JsonGeneratorFactory;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * A page of events ({@code {"events":[…]}} and the fields after it, such as {@code "next"} and
 * {@code "head"}) answered as a stream: each event is written to the response as it comes, in JSON
 * with a generator or in MessagePack with a packer, so no tree or text of the whole page (up to
 * {@link Params#MAX_PAGE} events) is ever built. The bytes are those of the page built as a JSON
 * object and answered with {@link Bodies#answer}: same fields, order and values
 * ({@link EventJson#fields} is the one field list). Stateless, thread-safe.
 */
final class EventPages {
    private static final JsonGeneratorFactory GENERATORS = JSON.createGeneratorFactory(Map.of());

    private EventPages() {
    }

    /** A number field written after the events; {@code value} null is JSON null. */
    record Tail(String name, Long value) {
    }

    /** A 200 with the page, in MessagePack if the client prefers it, else JSON. */
    static Response answer(List<StoredEvent> events, List<MediaType> accept, Tail... tail) {
        if (Bodies.wantsMsgpack(accept)) {
            return Response.ok(msgpack(events, tail), MsgpackJson.MEDIA_TYPE).build();
        }
        return Response.ok(json(events, tail), MediaType.APPLICATION_JSON_TYPE).build();
    }

    static StreamingOutput json(List<StoredEvent> events, Tail... tail) {
        return out -> {
            try (JsonGenerator g = GENERATORS.createGenerator(new Unclosed(out), StandardCharsets.UTF_8)) {
                g.writeStartObject().writeStartArray("events");
                for (StoredEvent e : events) {
                    EventJson.write(g, e);
                }
                g.writeEnd();
                for (Tail t : tail) {
                    if (t.value() == null) {
                        g.writeNull(t.name());
                    } else {
                        g.write(t.name(), t.value());
                    }
                }
                g.writeEnd();
            }
        };
    }

    static StreamingOutput msgpack(List<StoredEvent> events, Tail... tail) {
        return out -> {
            MessagePacker p = MessagePack.newDefaultPacker(out);
            try {
                p.packMapHeader(1 + tail.length).packString("events").packArrayHeader(events.size());
                MsgpackFields fields = new MsgpackFields(p);
                for (StoredEvent e : events) {
                    EventJson.fields(e, fields);
                }
                for (Tail t : tail) {
                    p.packString(t.name());
                    if (t.value() == null) {
                        p.packNil();
                    } else {
                        p.packLong(t.value());
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            p.flush(); // not close: the response stream is the container's
        };
    }

    /**
     * An event's fields as MessagePack, the form {@link MsgpackJson#encode} gives its JSON object:
     * a map, integers in their shortest form (as {@code packBigInteger} writes a long), JSON null as nil.
     */
    private record MsgpackFields(MessagePacker p) implements EventJson.Fields {
        @Override
        public void start(int count) {
            run(() -> p.packMapHeader(count));
        }

        @Override
        public void string(String name, String value) {
            run(() -> {
                p.packString(name);
                if (value == null) {
                    p.packNil();
                } else {
                    p.packString(value);
                }
            });
        }

        @Override
        public void number(String name, long value) {
            run(() -> p.packString(name).packLong(value));
        }

        @Override
        public void attributes(String name, Map<String, String> attributes) {
            run(() -> {
                p.packString(name).packMapHeader(attributes.size());
                for (Map.Entry<String, String> a : attributes.entrySet()) {
                    p.packString(a.getKey()).packString(a.getValue());
                }
            });
        }

        @Override
        public void value(String name, JsonValue value) {
            run(() -> {
                p.packString(name);
                MsgpackJson.write(p, value);
            });
        }

        @Override
        public void end() {
        }

        private interface Io {
            void run() throws IOException;
        }

        private static void run(Io io) {
            try {
                io.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The response stream, left open when the generator closes (the container closes it). */
    private static final class Unclosed extends FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
