package io.batpak.ee;

import io.batpak.engine.StoredEvent;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.function.Function;

/**
 * A stored event as a CloudEvent 1.0, the one mapping every outbound binding uses (HTTP structured
 * mode, the Kafka relay's binary mode): {@code id} = event id, {@code source} = scope (as a URI, or
 * {@code urn:batpak:scope:<escaped>} when the scope is not one), {@code subject} = entity,
 * {@code type} = the type the event arrived with, else the type configured for its kind, else
 * {@code batpak.kind.<kind>}; extensions {@code kind}, {@code sequence}, {@code globalsequence};
 * data = the payload, {@code application/json} when it is one JSON document, else
 * {@code application/octet-stream}. Stateless, thread-safe.
 */
public final class StoredCloudEvent {
    /** The event attribute holding the CloudEvents {@code type} an event arrived with. */
    public static final String TYPE_ATTRIBUTE = "ce.type";
    /** {@code batpak.cloudevents.type.<kind>=<type>} names the CloudEvents type of a kind (MicroProfile Config). */
    public static final String TYPE_KEY_PREFIX = "batpak.cloudevents.type.";

    private StoredCloudEvent() {
    }

    /** The CloudEvent of {@code e}; {@code typeForKind} names the type of kinds that have one configured. */
    public static CloudEvent of(StoredEvent e, Function<Integer, Optional<String>> typeForKind) {
        CloudEventBuilder b = CloudEventBuilder.v1()
                .withId(e.eventId().toString())
                .withSource(sourceUri(e.scope()))
                .withSubject(e.entity())
                .withType(type(e, typeForKind))
                .withTime(OffsetDateTime.ofInstant(Instant.EPOCH.plusNanos(e.timestampUs() * 1000), ZoneOffset.UTC))
                .withExtension("kind", e.kind().value())
                .withExtension("sequence", e.sequence())
                .withExtension("globalsequence", e.globalSequence());
        byte[] payload = e.payload();
        String contentType = EventJson.payloadJson(payload) != null ? "application/json" : "application/octet-stream";
        return b.withDataContentType(contentType).withData(payload).build();
    }

    private static String type(StoredEvent e, Function<Integer, Optional<String>> typeForKind) {
        String original = e.attributes().get(TYPE_ATTRIBUTE);
        if (original != null) {
            return original;
        }
        return typeForKind.apply(e.kind().value()).orElse("batpak.kind." + e.kind().value());
    }

    private static URI sourceUri(String scope) {
        try {
            return new URI(scope);
        } catch (URISyntaxException e) {
            return URI.create("urn:batpak:scope:" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
    }
}
