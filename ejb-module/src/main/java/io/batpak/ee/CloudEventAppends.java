package io.batpak.ee;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.Hex;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An incoming CloudEvent as an append, the one mapping of every inbound binding (HTTP structured
 * and binary mode, Kafka ingest): {@code subject} → entity (required), {@code source} → scope,
 * ({@code source}, {@code id}) → an idempotency key in a namespace of its own (so the same
 * CloudEvent sent twice is stored once), extension {@code kind} (or the kind configured for its
 * {@code type}) → kind, {@code data} → payload (JSON data as it is, text as a JSON string, other
 * bytes as a base64 JSON string); the type is kept as the attribute
 * {@link StoredCloudEvent#TYPE_ATTRIBUTE}. A CloudEvent that cannot be stored fails with
 * {@link ErrorCode#INVALID_REQUEST}. Stateless, thread-safe.
 */
public final class CloudEventAppends {
    private CloudEventAppends() {
    }

    public static AppendRequest toAppend(CloudEvent event, Function<String, Optional<Integer>> kindForType) {
        if (event.getSubject() == null) {
            throw invalid("a CloudEvent append needs a subject (the entity)");
        }
        int kind = kind(event, kindForType);
        String source = event.getSource().toString();
        byte[] payload = payload(event);
        AppendOptions options = AppendOptions.NONE.withIdempotencyKey(idempotencyKey(source, event.getId()))
                .withAttributes(Map.of(StoredCloudEvent.TYPE_ATTRIBUTE, event.getType()));
        return new AppendRequest(new Coordinate(event.getSubject(), source), new EventKind(kind), payload, options);
    }

    private static int kind(CloudEvent event, Function<String, Optional<Integer>> kindForType) {
        Object ext = event.getExtension("kind");
        if (ext == null) {
            return kindForType.apply(event.getType()).orElseThrow(() -> invalid(
                    "CloudEvent has no 'kind' extension and no kind is configured for type '" + event.getType()
                            + "' (batpak.cloudevents.kind." + event.getType() + ")"));
        }
        try {
            int k = ext instanceof Number n ? n.intValue() : Integer.parseInt(ext.toString().trim());
            if (ext instanceof Number n && n.longValue() != k) {
                throw new NumberFormatException();
            }
            return k;
        } catch (NumberFormatException e) {
            throw invalid("CloudEvent extension 'kind' must be an integer 0..65535");
        }
    }

    private static byte[] payload(CloudEvent event) {
        CloudEventData data = event.getData();
        if (data == null) {
            return AppendJson.payloadBytes(JsonValue.NULL);
        }
        byte[] bytes = data.toBytes();
        String type = event.getDataContentType();
        if (type == null || type.toLowerCase(Locale.ROOT).contains("json")) {
            JsonValue json = EventJson.payloadJson(bytes);
            if (json == null) {
                throw invalid("CloudEvent data is declared JSON but does not parse");
            }
            return AppendJson.payloadBytes(json);
        }
        if (type.toLowerCase(Locale.ROOT).startsWith("text/")) {
            return AppendJson.payloadBytes(JSON.createValue(new String(bytes, StandardCharsets.UTF_8)));
        }
        return AppendJson.payloadBytes(JSON.createValue(Base64.getEncoder().encodeToString(bytes)));
    }

    /**
     * The idempotency key of a CloudEvent: a digest of (source, id) under the prefix {@code ce:},
     * which {@code Idempotency-Key} header values (prefixed {@code h:}) can never take.
     */
    public static String idempotencyKey(String source, String id) {
        return "ce:" + sha256(source.getBytes(StandardCharsets.UTF_8), new byte[] {0}, id.getBytes(StandardCharsets.UTF_8));
    }

    /** Hex SHA-256 of the concatenated parts. */
    public static String sha256(byte[]... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                sha.update(p);
            }
            return Hex.encode(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static StoreException invalid(String message) {
        return new StoreException(ErrorCode.INVALID_REQUEST, message);
    }
}
