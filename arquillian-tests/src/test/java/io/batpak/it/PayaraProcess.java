package io.batpak.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The WAR on a real Payara Micro in a child JVM, started the way the README runs it (context root
 * {@code /}, the SmallRye flag), on a data directory of the test's choosing, so a test can stop it
 * gracefully or SIGKILL it and start it again on the same data. Its console goes to a log file next
 * to the data directory: read it first when a start fails.
 */
final class PayaraProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(300);

    private final Path dataDir;
    private final Path log;
    private final List<String> jvmOptions;
    /** The WAR to deploy, or null for the one under test ({@code batpak.war}). */
    private final Path war;
    private final int port;
    private Process process;

    PayaraProcess(Path dataDir) throws IOException {
        this(dataDir, dataDir.resolveSibling(dataDir.getFileName() + "-payara.log"), List.of());
    }

    /** A server with extra JVM options (e.g. {@code -Dbatpak.writer-queue-capacity=8}) logging to {@code log}. */
    PayaraProcess(Path dataDir, Path log, List<String> jvmOptions) throws IOException {
        this(dataDir, log, jvmOptions, null);
    }

    /** A server deploying {@code war} (e.g. the WAR under test plus a test's beans) instead of the WAR under test. */
    PayaraProcess(Path dataDir, Path log, List<String> jvmOptions, Path war) throws IOException {
        this.war = war;
        this.dataDir = dataDir;
        this.log = log;
        this.jvmOptions = List.copyOf(jvmOptions);
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    /**
     * A client for this server that sends {@code Authorization: Bearer <token>} when the server wrote
     * {@code {data-dir}/auth/admin.token} (call it after {@link #start()}).
     */
    Http http() {
        Path token = dataDir.resolve("auth").resolve("admin.token");
        try {
            return new Http(base(), Files.isRegularFile(token) ? Files.readString(token).trim() : null);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + token + ": " + e, e);
        }
    }

    /** Resident set size of the server JVM in KiB, from /proc (Linux), or -1 where unavailable. */
    long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    Path log() {
        return log;
    }

    URI base() {
        return URI.create("http://localhost:" + port + "/api/v1/");
    }

    void start() throws Exception {
        launch();
        awaitReady();
    }

    /** True while the server's JVM runs. */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the JVM without waiting for readiness (for a start that is expected to fail). */
    void launch() throws Exception {
        String microJar = System.getProperty("payara.microJar");
        String war = this.war != null ? this.war.toString() : System.getProperty("batpak.war", "../web-module/target/batpak.war");
        if (microJar == null || !new File(microJar).isFile()) {
            throw new AssertionError("payara.microJar not set or missing: " + microJar + " (run through mvn verify)");
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-Dbatpak.data-dir=" + dataDir.toAbsolutePath()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", microJar, "--deploy", war,
                "--contextroot", "/", "--port", Integer.toString(port), "--nocluster", "--nohazelcast"));
        Files.createDirectories(dataDir);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private void awaitReady() throws Exception {
        Http ops = new Http(URI.create("http://localhost:" + port + "/"));
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("Payara Micro exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (ops.get("health/ready").status() == 200) {
                    return;
                }
            } catch (AssertionError notYet) {
                // connection refused while it boots
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Payara Micro not ready within " + START_TIMEOUT + "; see " + log);
    }

    /** Graceful stop (SIGTERM): the store drains, fsyncs and checkpoints. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** SIGKILL: no shutdown hook runs. */
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
