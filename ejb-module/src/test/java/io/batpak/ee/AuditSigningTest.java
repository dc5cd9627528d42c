package io.batpak.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.audit.AuditKey;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which key signs exports for each combination of the two config keys (the bean without a container). */
class AuditSigningTest {
    @TempDir
    Path dir;

    private AuditSigning signing(Optional<String> priv, Optional<String> pub) {
        BatpakSettings settings = new BatpakSettings();
        settings.dataDir = dir.resolve("data").toString();
        AuditSigning s = new AuditSigning();
        s.settings = settings;
        s.privateKeyPath = priv;
        s.publicKeyPath = pub;
        return s;
    }

    @Test
    void unconfiguredGeneratesUnderTheDataDirectoryOnceAndKeepsIt() {
        AuditSigning first = signing(Optional.empty(), Optional.empty());
        AuditKey k = first.key();
        assertSame(k, first.key(), "loaded once per application");
        assertTrue(Files.exists(dir.resolve("data").resolve(AuditSigning.GENERATED_PRIVATE)));
        assertTrue(Files.exists(dir.resolve("data").resolve(AuditSigning.GENERATED_PUBLIC)));
        assertEquals(k.fingerprint(), signing(Optional.of(" "), Optional.empty()).key().fingerprint(),
                "a restart (blank values count as unset) must sign with the same key");
    }

    @Test
    void configuredPairIsUsedAndNeverGenerated() throws IOException {
        Path priv = copy("/golden/audit-key.pem");
        Path pub = copy("/golden/audit-key.pub.pem");
        AuditKey k = signing(Optional.of(priv.toString()), Optional.of(pub.toString())).key();
        assertEquals("9ef7f0ca1794eb28fc5fea553aaf885d19bcd8b7d3316d84efb7991693b36ce0", k.fingerprint());
        assertTrue(Files.notExists(dir.resolve("data").resolve(AuditSigning.GENERATED_PRIVATE)), "no key may be generated");
    }

    @Test
    void halfConfiguredMissingOrMismatchedIsUnavailable() throws IOException {
        Path priv = copy("/golden/audit-key.pem");
        StoreException half = assertThrows(StoreException.class,
                () -> signing(Optional.of(priv.toString()), Optional.empty()).key());
        assertEquals(ErrorCode.UNAVAILABLE, half.code());
        assertTrue(half.getMessage().contains("batpak.audit.public-key"), half.getMessage());

        StoreException missing = assertThrows(StoreException.class,
                () -> signing(Optional.of(priv.toString()), Optional.of(dir.resolve("nope.pem").toString())).key());
        assertEquals(ErrorCode.UNAVAILABLE, missing.code());
        assertTrue(missing.getMessage().contains("nope.pem"), missing.getMessage());

        Path other = dir.resolve("other.pub.pem");
        Files.writeString(other, AuditKey.generate().publicPem());
        StoreException mismatch = assertThrows(StoreException.class,
                () -> signing(Optional.of(priv.toString()), Optional.of(other.toString())).key());
        assertEquals(ErrorCode.UNAVAILABLE, mismatch.code());
        assertTrue(mismatch.getMessage().contains("not the private key's"), mismatch.getMessage());
    }

    private Path copy(String resource) throws IOException {
        Path to = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = AuditSigningTest.class.getResourceAsStream(resource)) {
            Files.copy(in, to);
        }
        return to;
    }
}
