package io.batpak.it;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real WildFly standalone server driven by its own scripts, as an operator would: a copy of
 * {@code standalone/} as the server's base directory, {@code bin/jboss-cli.sh} with the test's CLI
 * script against the {@code standalone.xml} profile (an embedded, offline server), the
 * archive dropped into {@code deployments/}, {@code bin/standalone.sh} on a free port offset, a
 * {@code :shutdown} through the CLI to stop. The data directory reaches the application through
 * {@code BATPAK_DATA_DIR} in the server's environment. The scripts run through {@code bash}, so no
 * execute bit from the unpacked zip is needed; their output and the server log go to files under
 * target/.
 */
final class WildFlyServer {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
    /** The default profile: it has the EJB subsystem (batpak has EJBs), standalone-microprofile.xml has not. */
    static final String PROFILE = "standalone.xml";

    private final Path home;
    private final Path baseDir;
    private final Path dataDir;
    private final Path log;
    private int offset;
    private Process process;

    WildFlyServer(Path home, Path workDir, Path dataDir) {
        this.home = home;
        this.baseDir = workDir.resolve("standalone");
        this.dataDir = dataDir;
        this.log = workDir.resolve("wildfly-scripts.log");
    }

    Path serverLog() {
        return baseDir.resolve("log").resolve("server.log");
    }

    /** HTTP listener: 8080 + the port offset. */
    URI base(String contextRoot) {
        return URI.create("http://localhost:" + (8080 + offset) + contextRoot + "/");
    }

    /** The management interface (9990 + offset), where WildFly serves MicroProfile Health. */
    URI management() {
        return URI.create("http://localhost:" + (9990 + offset) + "/");
    }

    /** A fresh base directory copied from the distribution's, configured by {@code cliScript}. */
    void configure(Path cliScript) throws Exception {
        copyTree(home.resolve("standalone"), baseDir);
        offset = freeOffset();
        run(List.of("bin/jboss-cli.sh", "--file=" + cliScript.toAbsolutePath()), CLI_TIMEOUT);
    }

    /** Copies {@code archive} into deployments/ as {@code name}: the deployment scanner deploys it at boot. */
    void deploy(File archive, String name) throws IOException {
        Files.copy(archive.toPath(), baseDir.resolve("deployments").resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }

    /** Starts standalone.sh and waits until the scanner has deployed {@code name} (or failed to). */
    void start(String name) throws Exception {
        Path deployments = baseDir.resolve("deployments");
        Files.deleteIfExists(deployments.resolve(name + ".deployed"));
        Files.deleteIfExists(deployments.resolve(name + ".failed"));
        List<String> script = List.of("bin/standalone.sh", "-c", PROFILE, "-Djboss.server.base.dir=" + baseDir.toAbsolutePath(),
                "-Djboss.socket.binding.port-offset=" + offset);
        append("\n$ " + String.join(" ", script) + "\n");
        process = builder(script).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(deployments.resolve(name + ".deployed"))) {
                return;
            }
            if (Files.exists(deployments.resolve(name + ".failed"))) {
                throw new AssertionError("WildFly could not deploy " + name + ": "
                        + Files.readString(deployments.resolve(name + ".failed")) + "; see " + serverLog());
            }
            if (!process.isAlive()) {
                throw new AssertionError("WildFly exited " + process.exitValue() + " while starting; see " + log);
            }
            Thread.sleep(500);
        }
        throw new AssertionError(name + " not deployed within " + START_TIMEOUT + "; see " + serverLog());
    }

    /** {@code :shutdown} through the CLI (graceful: the store drains and closes), then waits for the JVM to exit. */
    void stop() throws Exception {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            run(List.of("bin/jboss-cli.sh", "--connect", "--controller=localhost:" + (9990 + offset), "--command=:shutdown"),
                    CLI_TIMEOUT);
        } finally {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                kill();
                throw new AssertionError("WildFly did not stop within 2 minutes of :shutdown; see " + serverLog());
            }
        }
    }

    /** Last resort: SIGKILL to the server JVM (a child of standalone.sh) and the script. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor();
        }
    }

    private ProcessBuilder builder(List<String> script) {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.addAll(script);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        pb.environment().put("JBOSS_HOME", home.toAbsolutePath().toString());
        if (script.get(0).endsWith("jboss-cli.sh")) {
            // the CLI's embedded server reads the base directory from its own JVM's properties;
            // standalone.sh is given it as an argument (and keeps its default JAVA_OPTS)
            pb.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + baseDir.toAbsolutePath());
        }
        // standalone.sh then forwards SIGTERM to the server JVM instead of leaving it behind
        pb.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "true");
        pb.environment().put("BATPAK_DATA_DIR", dataDir.toAbsolutePath().toString());
        return pb;
    }

    private void run(List<String> script, Duration timeout) throws Exception {
        append("\n$ " + String.join(" ", script) + "\n");
        Process p = builder(script).start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(script.get(0) + " did not finish within " + timeout + "; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", script) + " exited " + p.exitValue() + "; see " + log);
        }
    }

    private void append(String line) throws IOException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.naturalOrder())::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** A port offset whose HTTP, HTTPS and management ports (8080, 8443, 9990, 9993 + offset) are free. */
    private static int freeOffset() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(10_000, 50_000);
            if (allFree(8080 + offset, 8443 + offset, 9990 + offset, 9993 + offset)) {
                return offset;
            }
        }
        throw new AssertionError("no free port offset found for WildFly");
    }

    private static boolean allFree(int... ports) {
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket(port)) {
                s.setReuseAddress(true);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
