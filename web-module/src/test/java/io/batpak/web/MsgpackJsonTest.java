package io.batpak.web;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** MessagePack bodies that use the never-used byte 0xC1 are a 400, wherever the byte stands. */
class MsgpackJsonTest {
    @Test
    void theNeverUsedByteIsMalformedInputNotAServerError() {
        byte[][] bodies = {
            {(byte) 0xC1}, // a document that is only the byte
            {(byte) 0x81, (byte) 0xC1, 0x01}, // as a map key
            {(byte) 0x81, (byte) 0xA1, 'a', (byte) 0xC1}, // as a map value
            {(byte) 0x92, 0x01, (byte) 0xC1}, // inside an array
        };
        for (byte[] body : bodies) {
            ProblemException e = assertThrows(ProblemException.class, () -> MsgpackJson.decode(body),
                    "0xC1 in a MessagePack body must be a problem, not another exception (MsgpackJson.typeOf)");
            String problem = e.problem().json();
            assertTrue(problem.contains("\"status\":400"), "a 400: " + problem);
            assertTrue(problem.contains("malformed MessagePack") && problem.contains("0xC1"),
                    "the detail says the MessagePack is malformed and names the byte: " + problem);
        }
    }
}
