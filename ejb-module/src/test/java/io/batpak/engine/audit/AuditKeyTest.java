package io.batpak.engine.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generating, storing, loading and checking the signing key. */
class AuditKeyTest {
    @TempDir
    Path dir;

    @Test
    void generatedOnceThenLoadedUnchanged() throws IOException {
        Path priv = dir.resolve("audit/ed25519.pem");
        Path pub = dir.resolve("audit/ed25519.pub.pem");
        AuditKey first = AuditKey.loadOrCreate(priv, pub);
        assertTrue(Files.exists(priv) && Files.exists(pub), "both key files must be written");
        AuditKey again = AuditKey.loadOrCreate(priv, pub);
        assertEquals(first.fingerprint(), again.fingerprint(), "a second start must load the same key, not a new one");
        byte[] data = "trailer".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(first.sign(data), again.sign(data), "Ed25519 is deterministic: same key, same signature");
        assertEquals(first.fingerprint(), AuditKey.fingerprint(AuditKey.readPublicKey(pub)));
        assertFalse(Files.exists(dir.resolve("audit/ed25519.pem.tmp")), "no temporary file may stay behind");
        if (Files.getFileStore(priv).supportsFileAttributeView("posix")) {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(priv), "the private key must be readable by its owner only");
        }
    }

    @Test
    void opensslKeysLoad() throws IOException {
        AuditKey k = ExportSamples.goldenKey(); // written by openssl genpkey -algorithm ed25519 / pkey -pubout
        assertEquals("9ef7f0ca1794eb28fc5fea553aaf885d19bcd8b7d3316d84efb7991693b36ce0", k.fingerprint(),
                "fingerprint must equal `openssl pkey -pubin -outform DER | sha256sum`");
        byte[] data = {1, 2, 3};
        assertTrue(AuditKey.verify(k.publicKey(), data, k.sign(data)));
    }

    @Test
    void pemRoundTrips() {
        AuditKey k = AuditKey.generate();
        AuditKey back = AuditKey.fromPem(k.privatePem(), k.publicPem());
        assertEquals(k.fingerprint(), back.fingerprint());
        assertTrue(k.publicPem().startsWith("-----BEGIN PUBLIC KEY-----\n"), k.publicPem());
        assertTrue(k.privatePem().startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8 PEM expected");
    }

    @Test
    void mismatchedPairIsRefused() {
        AuditKey a = AuditKey.generate();
        AuditKey b = AuditKey.generate();
        StoreException e = assertThrows(StoreException.class, () -> AuditKey.fromPem(a.privatePem(), b.publicPem()));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        assertTrue(e.getMessage().contains("not the private key's"), e.getMessage());
    }

    @Test
    void garbageIsRefused() {
        StoreException e = assertThrows(StoreException.class, () -> AuditKey.fromPem("hello", "world"));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code());
    }

    @Test
    void oneFileWithoutTheOtherIsRefusedNotReplaced() throws IOException {
        Path priv = dir.resolve("k.pem");
        Path pub = dir.resolve("k.pub.pem");
        AuditKey.loadOrCreate(priv, pub);
        String before = Files.readString(priv);
        Files.delete(pub);
        StoreException e = assertThrows(StoreException.class, () -> AuditKey.loadOrCreate(priv, pub));
        assertTrue(e.getMessage().contains(pub.toString()), "the message must name the missing file: " + e.getMessage());
        assertEquals(before, Files.readString(priv), "the surviving private key must be left alone");
    }

    @Test
    void unreadablePublicKeyNamesTheFile() throws IOException {
        Path bad = dir.resolve("bad.pem");
        Files.writeString(bad, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
        IOException e = assertThrows(IOException.class, () -> AuditKey.readPublicKey(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }
}
