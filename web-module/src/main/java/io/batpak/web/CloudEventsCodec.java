package io.batpak.web;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.ee.CloudEventAppends;
import io.batpak.ee.StoredCloudEvent;
import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.StoredEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * CloudEvents 1.0 (structured {@code application/cloudevents+json} and binary {@code ce-*} headers)
 * to and from the store, as the contract maps them: {@code subject} ↔ entity, {@code source} ↔
 * scope, ({@code source}, {@code id}) → an idempotency key in a namespace of its own, {@code data} →
 * payload, extension {@code kind} (or a kind configured for the {@code type}) → kind. Parsing and
 * validation use the CloudEvents Java SDK. Stateless, thread-safe.
 */
public final class CloudEventsCodec {
    public static final String STRUCTURED = "application/cloudevents+json";
    private static final JsonFormat FORMAT = new JsonFormat();
    static final String TYPE_ATTRIBUTE = StoredCloudEvent.TYPE_ATTRIBUTE;

    private CloudEventsCodec() {
    }

    /** True if the request is a CloudEvent in binary mode (it carries {@code ce-specversion}). */
    public static boolean isBinary(MultivaluedMap<String, String> headers) {
        return headers.getFirst("ce-specversion") != null;
    }

    public static boolean isStructured(MediaType type) {
        return type != null && "application".equals(type.getType()) && "cloudevents+json".equals(type.getSubtype());
    }

    /** A structured-mode CloudEvent as an append. */
    public static AppendRequest fromStructured(byte[] body, Function<String, Optional<Integer>> kindForType) {
        CloudEvent event;
        try {
            event = FORMAT.deserialize(body);
        } catch (RuntimeException e) {
            throw new ProblemException(Problem.invalid("malformed CloudEvent: " + message(e)));
        }
        return toAppend(event, kindForType);
    }

    /** A binary-mode CloudEvent (attributes in {@code ce-*} headers, data in the body) as an append. */
    public static AppendRequest fromBinary(MultivaluedMap<String, String> headers, MediaType contentType, byte[] body,
                                           Function<String, Optional<Integer>> kindForType) {
        if (!"1.0".equals(headers.getFirst("ce-specversion"))) {
            throw new ProblemException(Problem.invalid("ce-specversion must be 1.0"));
        }
        CloudEvent event;
        try {
            CloudEventBuilder b = CloudEventBuilder.v1()
                    .withId(required(headers, "ce-id"))
                    .withSource(URI.create(required(headers, "ce-source")))
                    .withType(required(headers, "ce-type"));
            String subject = headers.getFirst("ce-subject");
            if (subject != null) {
                b.withSubject(subject);
            }
            String time = headers.getFirst("ce-time");
            if (time != null) {
                b.withTime(OffsetDateTime.parse(time));
            }
            if (contentType != null) {
                b.withDataContentType(contentType.toString());
            }
            for (Map.Entry<String, java.util.List<String>> h : headers.entrySet()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (name.startsWith("ce-") && !Map.of("ce-id", 1, "ce-source", 1, "ce-type", 1, "ce-subject", 1,
                        "ce-time", 1, "ce-specversion", 1).containsKey(name) && !h.getValue().isEmpty()) {
                    b.withExtension(name.substring(3), h.getValue().get(0));
                }
            }
            if (body.length > 0) {
                b.withData(body);
            }
            event = b.build();
        } catch (ProblemException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ProblemException(Problem.invalid("invalid CloudEvent headers: " + message(e)));
        }
        return toAppend(event, kindForType);
    }

    /** The append a CloudEvent maps to; a CloudEvent the contract cannot store is 400 {@code invalid-request}. */
    private static AppendRequest toAppend(CloudEvent event, Function<String, Optional<Integer>> kindForType) {
        try {
            return CloudEventAppends.toAppend(event, kindForType);
        } catch (io.batpak.engine.StoreException e) {
            throw new ProblemException(Problem.invalid(e.getMessage()));
        }
    }

    /** Longest {@code Idempotency-Key} header value the contract accepts. */
    static final int MAX_HEADER_KEY_CHARS = 255;

    /**
     * The idempotency key stored for an {@code Idempotency-Key} header value: {@code h:} and the value,
     * or for values too long to take the prefix within the engine's limit, {@code h#} and their SHA-256.
     */
    static String headerKey(String value) {
        if (value == null) {
            return null;
        }
        if (value.isEmpty() || value.length() > MAX_HEADER_KEY_CHARS) {
            throw new ProblemException(Problem.invalid("Idempotency-Key must have 1.." + MAX_HEADER_KEY_CHARS
                    + " characters"));
        }
        if (value.length() + 2 <= io.batpak.engine.AppendOptions.MAX_IDEMPOTENCY_KEY_CHARS) {
            return "h:" + value;
        }
        return "h#" + CloudEventAppends.sha256(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A stored event as a structured CloudEvent (JSON bytes), mapped as {@link StoredCloudEvent} says. */
    public static byte[] toStructured(StoredEvent e, Function<Integer, Optional<String>> typeForKind) {
        return FORMAT.serialize(StoredCloudEvent.of(e, typeForKind));
    }

    private static String required(MultivaluedMap<String, String> headers, String name) {
        String v = headers.getFirst(name);
        if (v == null || v.isBlank()) {
            throw new ProblemException(Problem.invalid("binary CloudEvent is missing header " + name));
        }
        return v;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
