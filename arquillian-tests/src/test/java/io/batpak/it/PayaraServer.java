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
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real Payara Server domain driven through {@code asadmin}, as an operator would: create a domain
 * on free ports ({@code --portbase}), start it, deploy, restart, stop. The server's data directory is
 * given through {@code BATPAK_DATA_DIR} in the environment the domain inherits from
 * {@code start-domain}. Every asadmin call and the server log go to files under target/.
 */
final class PayaraServer {
    private static final Duration ASADMIN_TIMEOUT = Duration.ofMinutes(6);

    private final Path home;
    private final Path domainDir;
    private final String domain = "batpak";
    private final Path dataDir;
    private final Path log;
    private int portBase;

    PayaraServer(Path home, Path workDir, Path dataDir) {
        this.home = home;
        this.domainDir = workDir.resolve("domains");
        this.dataDir = dataDir;
        this.log = workDir.resolve("asadmin.log");
    }

    /** The server's own log (server.log of the domain). */
    Path serverLog() {
        return domainDir.resolve(domain).resolve("logs").resolve("server.log");
    }

    Path asadminLog() {
        return log;
    }

    /** HTTP listener: portbase + 80 (asadmin create-domain's scheme). */
    int httpPort() {
        return portBase + 80;
    }

    int adminPort() {
        return portBase + 48;
    }

    URI base(String contextRoot) {
        return URI.create("http://localhost:" + httpPort() + contextRoot + "/");
    }

    /** Creates the domain on a port base whose ports (+0 … +99 that Payara uses) are all free. */
    void createDomain() throws Exception {
        Files.createDirectories(domainDir);
        portBase = freePortBase();
        asadmin("create-domain", "--nopassword=true", "--savelogin=false", "--checkports=true",
                "--portbase", Integer.toString(portBase), "--domaindir", domainDir.toString(), domain);
    }

    void start() throws Exception {
        asadmin("start-domain", "--domaindir", domainDir.toString(), domain);
    }

    void stop() throws Exception {
        asadmin("stop-domain", "--domaindir", domainDir.toString(), domain);
    }

    /** Deploys {@code archive} under {@code name}; no properties, no flags. */
    void deploy(File archive, String name) throws Exception {
        asadmin("--port", Integer.toString(adminPort()), "deploy", "--name", name, archive.getAbsolutePath());
    }

    /** Runs {@code asadmin args…}, failing with the tail of its output unless it exits 0. */
    void asadmin(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", home.resolve("glassfish/lib/client/appserver-cli.jar").toString()));
        cmd.addAll(List.of(args));
        Files.writeString(log, "\n$ asadmin " + String.join(" ", args) + "\n", java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> env = pb.environment();
        env.put("AS_JAVA", System.getProperty("java.home"));
        env.put("BATPAK_DATA_DIR", dataDir.toAbsolutePath().toString());
        // The EAR needs the container-facing authentication mechanism (ContainerCallerSwitch).
        env.put("BATPAK_AUTH_CONTAINER_CALLER", "true");
        Process p = pb.start();
        if (!p.waitFor(ASADMIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("asadmin " + args[0] + " did not finish within " + ASADMIN_TIMEOUT + "; see " + log);
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("asadmin " + String.join(" ", args) + " exited " + p.exitValue() + "; see " + log
                    + " and " + serverLog());
        }
    }

    private static int freePortBase() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 100 * ThreadLocalRandom.current().nextInt(200, 600); // 20000 … 59900
            if (allFree(base, 9, 37, 38, 39, 48, 49, 59, 66, 76, 80, 81, 86)) {
                return base;
            }
        }
        throw new AssertionError("no free port base found for Payara Server");
    }

    private static boolean allFree(int base, int... offsets) {
        for (int o : offsets) {
            try (ServerSocket s = new ServerSocket(base + o)) {
                s.setReuseAddress(true);
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }
}
