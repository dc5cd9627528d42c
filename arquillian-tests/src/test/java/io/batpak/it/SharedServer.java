package io.batpak.it;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * One Payara Micro shared by the IT classes that only need a running server and no restarts
 * ({@link HostileInputIT}, {@link OverloadIT}), so the module boots it once. It runs with a small
 * writer queue (8) so overload is easy to reach; killed when the test JVM exits.
 */
final class SharedServer {
    static final int WRITER_QUEUE_CAPACITY = 8;
    private static PayaraProcess server;

    private SharedServer() {
    }

    static synchronized PayaraProcess get() throws Exception {
        if (server == null) {
            Path data = Path.of(System.getProperty("batpak.testDataRoot", "target/it-data"), "shared-" + UUID.randomUUID());
            PayaraProcess p = new PayaraProcess(data, data.resolveSibling(data.getFileName() + "-payara.log"),
                    List.of("-Dbatpak.writer-queue-capacity=" + WRITER_QUEUE_CAPACITY));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    p.kill();
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }));
            p.start();
            server = p;
        }
        return server;
    }
}
