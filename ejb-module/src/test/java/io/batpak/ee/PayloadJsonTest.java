package io.batpak.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.json.Json;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** A JSON payload of any type reads back as the same JSON value; bytes that are not JSON do not. */
class PayloadJsonTest {
    @ParameterizedTest
    @ValueSource(strings = {"42", "-1.5e3", "\"text\"", "true", "false", "null", "[1,2]", "{\"x\":10}",
            "{\"name\":\"żółw 🐢 \\u0001\",\"a\":[1,{\"b\":null}]}"})
    void everyJsonValueRoundTrips(String text) {
        JsonValue written = Json.createReader(new StringReader(text)).readValue();
        byte[] stored = AppendJson.payloadBytes(written);
        JsonValue read = EventJson.payloadJson(stored);
        assertNotNull(read, "payload " + text + " was stored as " + new String(stored, StandardCharsets.UTF_8)
                + " and did not read back as JSON (EventJson.payloadJson)");
        assertEquals(written, read, "payload " + text + " changed on the way through the store's JSON");
        // the bytes earlier builds stored: a generator straight over a UTF-8 byte stream
        java.io.ByteArrayOutputStream earlier = new java.io.ByteArrayOutputStream();
        try (jakarta.json.stream.JsonGenerator g = Json.createGenerator(earlier)) {
            g.write(written);
        }
        assertEquals(earlier.toString(StandardCharsets.UTF_8), new String(stored, StandardCharsets.UTF_8),
                "payload " + text + " is stored with other bytes than earlier builds stored (AppendJson.payloadBytes)");
    }

    @Test
    void bytesThatAreNotOneJsonDocumentAreNotJson() {
        assertNull(EventJson.payloadJson(new byte[] {(byte) 0x93, 1, 2, 3}), "msgpack bytes read as JSON");
        assertNull(EventJson.payloadJson("{\"a\":1} trailing".getBytes(StandardCharsets.UTF_8)),
                "a document with trailing text read as JSON");
        assertNull(EventJson.payloadJson(new byte[0]), "empty bytes read as JSON");
    }
}
