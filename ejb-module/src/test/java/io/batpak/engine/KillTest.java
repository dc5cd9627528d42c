package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM (SIGKILL, no shutdown hooks) while it appends durably, then reopens the data
 * directory: every event the child acknowledged must be present and unchanged, sequences gap-free
 * and chains valid. 3 kills by default, 30 with {@code -Dbatpak.longTests=true}.
 */
class KillTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgedEventsSurviveSigkill() throws Exception {
        int kills = Boolean.getBoolean("batpak.longTests") ? 30 : 3;
        Map<UUID, byte[]> acked = new HashMap<>();
        for (int k = 0; k < kills; k++) {
            acked.putAll(runAndKill(k));
            try (EventStore s = EventStore.open(StoreConfig.defaults(dir))) {
                String where = "after kill " + (k + 1) + " of " + kills + " (data in " + dir + "; see LogRecovery)";
                for (Map.Entry<UUID, byte[]> a : acked.entrySet()) {
                    StoredEvent e = s.get(a.getKey()).orElseThrow(() -> new AssertionError(where + ": lost acknowledged event " + a.getKey()));
                    assertArrayEquals(a.getValue(), e.payload(), where + ": payload of " + a.getKey() + " changed");
                }
                List<IndexEntry> all = s.query(Region.all().withLimit(Integer.MAX_VALUE));
                Map<String, Long> next = new HashMap<>();
                for (int i = 0; i < all.size(); i++) {
                    IndexEntry e = all.get(i);
                    assertEquals(i + 1L, e.globalSequence(), where + ": global sequence gap");
                    long n = next.getOrDefault(e.coordinate().entity(), 0L);
                    assertEquals(n, e.sequence(), where + ": sequence gap in " + e.coordinate().entity());
                    next.put(e.coordinate().entity(), n + 1);
                }
                for (String entity : next.keySet()) {
                    assertTrue(s.verify(entity).valid(), where + ": chain of " + entity + " broken");
                }
            }
        }
        assertTrue(acked.size() > 0, "the child acknowledged no events before being killed");
        System.out.printf("kill test: crashes %d, acked %d, lost 0, corrupt 0%n", kills, acked.size());
    }

    /** Starts the child, lets it append for a random while, kills it; returns what it acknowledged. */
    private Map<UUID, byte[]> runAndKill(int round) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriterMain.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Map<UUID, byte[]> acked = new HashMap<>();
        List<String> lines = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the pipe breaks when the child is killed
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                if (!lines.isEmpty() && lines.get(0).startsWith("ready")) {
                    break;
                }
            }
            Thread.sleep(20);
        }
        Thread.sleep(300 + ThreadLocalRandom.current().nextInt(700));
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not die");
        reader.join(10_000);
        synchronized (lines) {
            assertTrue(!lines.isEmpty() && lines.get(0).startsWith("ready"), "child never became ready in round " + round + ": " + lines);
            for (String line : lines) {
                String[] f = line.split(" ");
                // A line cut by the kill is incomplete output, not an acknowledgement.
                if (f.length == 4 && f[0].equals("ack") && f[3].length() % 2 == 0) {
                    try {
                        acked.put(UUID.fromString(f[2]), Hex.decode(f[3]));
                    } catch (IllegalArgumentException cut) {
                        // partial last line
                    }
                }
            }
        }
        return acked;
    }
}
