package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
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
 * First the WAR alone, as built (it must start and take an append with no flag), then, started with
 * {@code standalone.sh}, the WAR with the test beans and {@code batpak.messaging.channels=true}
 * deployed by the deployment scanner, {@link ServerContract}'s checks,
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
        deployedAloneItStartsAndAppends(war, dataDir);
        long t2 = System.nanoTime();
        server.deploy(withChannelsOn(warWithTestBeans(war, work.resolve("batpak-beans.war").toFile()),
                work.resolve("batpak-it.war").toFile()), NAME);
        server.start(NAME);
        awaitReady();
        long t3 = System.nanoTime();
        // where the IT's time goes, for CI logs; not an assertion
        System.out.printf("WildFlyWarIT: CLI configuration %d ms, the WAR alone %d ms, start + deploy + ready %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        http = new Http(server.base("/batpak").resolve("api/v1/"), Http.adminToken(dataDir));
    }

    /**
     * The WAR as built, with nothing added and no flag: under WildFly's strict binding its own
     * channels would fail the deployment, so MessagingChannelsSwitch leaves them out; the store
     * must be ready and take an append. Then the server is stopped for the contract's deployment.
     */
    private void deployedAloneItStartsAndAppends(File war, Path dataDir) throws Exception {
        server.deploy(war, NAME);
        server.start(NAME);
        awaitReady();
        Http alone = new Http(server.base("/batpak").resolve("api/v1/"), Http.adminToken(dataDir));
        Http.Reply r = alone.post("events", ("{\"entity\":\"alone:" + run + "\",\"scope\":\"alone:" + run
                + "\",\"kind\":61441,\"payload\":1}").getBytes(StandardCharsets.UTF_8), "application/json");
        assertEquals(201, r.status(), () -> "an append to the WAR deployed alone: " + r + "; see " + serverLog());
        server.stop();
    }

    /**
     * The test WAR consumes batpak-events and feeds batpak-append (Probes, ProbeResource), so it
     * turns the store's channels on, as an application does: the key in a config file of its own.
     */
    private static File withChannelsOn(File war, File out) {
        WebArchive w = ShrinkWrap.create(ZipImporter.class, "batpak.war").importFrom(war).as(WebArchive.class);
        w.addAsLibrary(ShrinkWrap.create(JavaArchive.class, "batpak-channels-on.jar")
                .addAsManifestResource(new StringAsset("batpak.messaging.channels=true\n"), "microprofile-config.properties"));
        w.as(ZipExporter.class).exportTo(out, true);
        return out;
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
