package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The WildFly variant of the WAR ({@code batpak-web-<version>-wildfly.war}: no SmallRye or
 * MicroProfile jars, the server's modules instead; its EJBs StoreLifecycle and BatpakEvents in
 * WEB-INF/lib) on a real WildFly 35.0.1.Final (the {@code wildfly-dist} zip from Maven Central,
 * unpacked by the build), with the server's own MicroProfile subsystems: the default
 * {@code standalone.xml} profile (it has EJB, Config and JWT; {@code standalone-microprofile.xml}
 * has no EJB) plus Health, OpenAPI and Reactive Messaging, added by {@code src/test/wildfly/batpak.cli}.
 * Started with
 * {@code standalone.sh}, the WAR deployed by the deployment scanner, {@link ServerContract}'s checks,
 * a {@code :shutdown} and a start again, the data checked, stopped.
 */
class WildFlyWarIT extends ServerContract {
    private static final String NAME = "batpak.war";
    private WildFlyServer server;

    @BeforeAll
    void configureStartAndDeploy() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("batpak.skipServerITs"), "batpak.skipServerITs");
        Path home = Path.of(System.getProperty("wildfly.home", "target/wildfly/wildfly-35.0.1.Final"));
        File war = new File(System.getProperty("batpak.wildflyWar", "../web-module/target/batpak-wildfly.war"));
        Path cli = Path.of(System.getProperty("wildfly.cli", "src/test/wildfly/batpak.cli"));
        assertTrue(Files.isDirectory(home), "no WildFly at " + home + " (run through mvn verify)");
        assertTrue(war.isFile(), "no WildFly WAR at " + war + " (run through mvn verify)");
        Path work = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "wildfly-" + run);
        Path dataDir = work.resolve("data");
        Files.createDirectories(dataDir);
        server = new WildFlyServer(home, work, dataDir);
        long t0 = System.nanoTime();
        server.configure(cli);
        long t1 = System.nanoTime();
        server.deploy(warWithTestBeans(war, work.resolve("batpak-it.war").toFile()), NAME);
        server.start(NAME);
        awaitReady();
        long t2 = System.nanoTime();
        // where the IT's time goes, for CI logs; not an assertion
        System.out.printf("WildFlyWarIT: CLI configuration %d ms, start + deploy + ready %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        http = new Http(server.base("/batpak").resolve("api/v1/"), Http.adminToken(dataDir));
    }

    @AfterAll
    void stopServer() throws Exception {
        if (server != null) {
            try {
                server.stop();
            } finally {
                server.kill();
            }
        }
    }

    /** WildFly serves MicroProfile Health on its management interface (9990 + offset), not on the HTTP port. */
    @Override
    protected Http ops() {
        return new Http(server.management());
    }

    /** {@code :shutdown} (graceful) and standalone.sh again; the scanner deploys the WAR at boot. */
    @Override
    protected void restartServer() throws Exception {
        long t0 = System.nanoTime();
        server.stop();
        server.start(NAME);
        System.out.printf("WildFlyWarIT: :shutdown + start + deploy %d ms%n", (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    protected String serverLog() {
        return server.serverLog().toString();
    }
}
