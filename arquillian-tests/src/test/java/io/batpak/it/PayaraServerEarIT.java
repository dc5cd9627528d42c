package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The EAR on a real Payara Server 6.2025.10 (the full distribution from Maven Central, unpacked by
 * the build): a domain created and started with asadmin, the EAR deployed with a plain
 * {@code asadmin deploy} (no properties, no JVM flags), {@link ServerContract}'s checks against
 * {@code /batpak}, the domain restarted, the data checked, the domain stopped. The EAR is the
 * build's own, with the test CDI observer, gates and probes added to its web module; requests carry
 * the server's generated admin token.
 *
 * <p>The REST resources are {@code @RolesAllowed}; in an EAR, Payara Server 6.2025.10 checks those
 * with its own JAX-RS filter whatever {@code payara-web.xml} says, through Jakarta Security, which
 * {@code io.batpak.web.ContainerCaller} answers from the bearer token (see there).
 */
class PayaraServerEarIT extends ServerContract {
    private PayaraServer server;

    @BeforeAll
    void startDomainAndDeploy() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("batpak.skipServerITs"), "batpak.skipServerITs");
        Path home = Path.of(System.getProperty("payara.serverHome", "target/payara-server/payara6"));
        File ear = new File(System.getProperty("batpak.ear", "../ear/target/batpak-ear-0.1.0-SNAPSHOT.ear"));
        assertTrue(Files.isDirectory(home), "no Payara Server at " + home + " (run through mvn verify)");
        assertTrue(ear.isFile(), "no EAR at " + ear + " (run through mvn verify)");
        Path work = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "payara-server-" + run);
        Path dataDir = work.resolve("data");
        Files.createDirectories(dataDir);
        File testEar = earWithTestBeans(ear, work.resolve("batpak-it.ear").toFile());
        server = new PayaraServer(home, work, dataDir);
        server.createDomain();
        server.start();
        server.deploy(testEar, "batpak");
        awaitReady();
        http = new Http(server.base("/batpak").resolve("api/v1/"), Http.adminToken(dataDir));
    }

    @AfterAll
    void stopDomain() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /** MicroProfile Health is the server's, at its root (/health), not under the application's context root. */
    @Override
    protected Http ops() {
        return new Http(server.base(""));
    }

    /** stop-domain + start-domain; the deployment stays registered in the domain. */
    @Override
    protected void restartServer() throws Exception {
        server.stop();
        server.start();
    }

    @Override
    protected String serverLog() {
        return server.serverLog().toString();
    }
}
