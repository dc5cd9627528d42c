package io.batpak.engine.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged verifier, as an auditor runs it: {@code java -jar batpak-ejb-<version>-verify.jar
 * export.ndjson --key pub.pem} in a child JVM with nothing but that jar, on exports of a real store
 * (whose key was generated under its data directory) and on a tampered copy.
 */
class VerifyJarIT {
    @TempDir
    Path dir;

    private static Path jar() {
        String p = System.getProperty("batpak.verifyJar");
        assertTrue(p != null && Files.isRegularFile(Path.of(p)), "the verify jar must be built before this IT: " + p);
        return Path.of(p);
    }

    /** Exit status, standard output and standard error of one run of the verify jar. */
    private record Run(int status, String out, String err) {
    }

    private Run verify(Path export, Path key) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-jar", jar().toString(), export.toString(),
                "--key", key.toString()));
        pb.environment().remove("CLASSPATH");
        pb.redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the verifier did not finish within 60 s");
        return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt")), Files.readString(dir.resolve("err.txt")));
    }

    @Test
    void theJarVerifiesARealExportAndNamesTheTamperedLine() throws Exception {
        Path data = dir.resolve("data");
        AuditKey key = AuditKey.loadOrCreate(data.resolve("audit/ed25519.pem"), data.resolve("audit/ed25519.pub.pem"));
        Path export = dir.resolve("export.ndjson");
        try (EventStore store = EventStore.open(StoreConfig.defaults(data).withSyncMode(SyncMode.NEVER))) {
            for (int i = 0; i < 300; i++) {
                store.append(new Coordinate("order:" + (i % 7), i % 2 == 0 ? "eu" : "us"), EventKind.of(1, 2),
                        ("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8));
            }
            try (OutputStream out = Files.newOutputStream(export)) {
                AuditExports.scope(store, null, ScopeGrants.ALL, key, out);
            }
            Path one = dir.resolve("entity.ndjson");
            try (OutputStream out = Files.newOutputStream(one)) {
                AuditExports.entity(store, EntityQuery.of(new Coordinate("order:3", "us")), key, out);
            }
            Run entity = verify(one, data.resolve("audit/ed25519.pub.pem"));
            assertEquals(0, entity.status(), "an entity export must verify: " + entity);
            assertTrue(entity.out().contains("OK ") && entity.out().contains(" events, 1 entities"), entity.out());
        }
        Run ok = verify(export, data.resolve("audit/ed25519.pub.pem"));
        assertEquals(0, ok.status(), "an untampered export must verify: " + ok);
        assertEquals("OK 300 events, 14 entities", ok.out().strip());

        List<String> lines = Files.readAllLines(export, StandardCharsets.UTF_8);
        String line = lines.get(41);
        assertTrue(line.contains("\"payload\":\"eyJuIjo"), "payload {\"n\":… in base64 expected: " + line);
        lines.set(41, line.replace("\"payload\":\"eyJuIjo", "\"payload\":\"eyJOIjo")); // {"n":… becomes {"N":…
        Path tampered = dir.resolve("tampered.ndjson");
        Files.write(tampered, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
        Run bad = verify(tampered, data.resolve("audit/ed25519.pub.pem"));
        assertEquals(1, bad.status(), "a tampered export must fail: " + bad);
        assertTrue(bad.err().contains("line 42: hash of"), "the verifier must name line 42 and why: " + bad.err());

        Path otherKey = dir.resolve("other.pub.pem");
        Files.writeString(otherKey, AuditKey.generate().publicPem());
        Run wrongKey = verify(export, otherKey);
        assertEquals(1, wrongKey.status(), wrongKey.toString());
        assertTrue(wrongKey.err().contains("line 301: signed by the key with fingerprint " + key.fingerprint()),
                wrongKey.err());

        Run usage = verify(export, dir.resolve("missing.pem"));
        assertEquals(2, usage.status(), "a missing key file is a usage error, not a verdict: " + usage);
    }
}
