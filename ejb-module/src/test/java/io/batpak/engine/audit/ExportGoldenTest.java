package io.batpak.engine.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.util.Hex;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Pins the audit export format: the writer must still produce {@code golden/export-v1.ndjson}
 * byte for byte from {@link ExportSamples#golden()} and the fixed test key, the verifier must
 * accept it, and docs/FORMAT.md must show the same lines. If this fails after a change, the export
 * format changed: give it a new {@link ExportTrailer#FORMAT} name instead. {@link #main} wrote the
 * golden file (run it from the test classpath with the target path to write it again).
 */
public class ExportGoldenTest {
    static final String GOLDEN = "/golden/export-v1.ndjson";

    @Test
    void writerProducesTheGoldenExport() throws IOException {
        String expected = ExportSamples.resource(GOLDEN);
        String actual = new String(goldenExport(), StandardCharsets.UTF_8);
        assertEquals(expected, actual, "the export writer's output changed (EventLine, ExportTrailer or the key)");
    }

    @Test
    void verifierAcceptsTheGoldenExport() throws IOException {
        byte[] golden = ExportSamples.resource(GOLDEN).getBytes(StandardCharsets.UTF_8);
        ExportVerifier.Report r = new ExportVerifier(ExportSamples.goldenKey().publicKey())
                .verify(new ByteArrayInputStream(golden));
        assertTrue(r.ok(), "the golden export must verify: " + r);
        assertEquals("OK 4 events, 3 entities", r.toString());
    }

    @Test
    void firstLineCarriesTheFormatDocumentsChainHash() throws IOException {
        String first = ExportSamples.resource(GOLDEN).lines().findFirst().orElseThrow();
        String hash = Hex.encode(Hex.decode(ExportSamples.resource("/golden/hash-v1.hex").trim()));
        assertTrue(first.endsWith("\"hash\":\"" + hash + "\"}"), "the golden sample's chain hash " + hash
                + " must be the first line's hash: " + first);
    }

    @Test
    void formatDocumentShowsTheGoldenExport() throws IOException {
        Path doc = Path.of("..", "docs", "FORMAT.md");
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("### Example export\\R(?:.*\\R)*?```ndjson\\R((?:.*\\R)*?)```").matcher(text);
        assertTrue(m.find(), "docs/FORMAT.md needs an '### Example export' section with an ndjson block");
        assertEquals(ExportSamples.resource(GOLDEN), m.group(1).replace("\r\n", "\n"),
                "the example export in docs/FORMAT.md differs from " + GOLDEN);
    }

    @Test
    void fingerprintIsSha256OfTheSpki() throws IOException {
        AuditKey k = ExportSamples.goldenKey();
        byte[] spki = k.publicKey().getEncoded();
        assertEquals(44, spki.length, "an Ed25519 SubjectPublicKeyInfo is 44 bytes");
        assertArrayEquals(Hex.decode(k.fingerprint()), sha256(spki));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(b);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] goldenExport() throws IOException {
        return ExportSamples.export(ExportSamples.golden(), ExportSamples.goldenKey(), ExportSubject.scope(null));
    }

    /** Writes the golden export to {@code args[0]} (src/test/resources/golden/export-v1.ndjson). */
    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[0]), goldenExport());
    }
}
