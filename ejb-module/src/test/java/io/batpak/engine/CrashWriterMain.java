package io.batpak.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Child process for {@link KillTest}: appends durably from 4 threads until killed, printing one
 * line per acknowledged event ({@code ack <globalSequence> <eventId> <payloadHex>}) only after the
 * append returned, so every printed line is an event the store promised to keep.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        EventStore store = EventStore.open(StoreConfig.defaults(Path.of(args[0])));
        System.out.println("ready " + store.globalSequence());
        System.out.flush();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            final int thread = t;
            Thread w = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; ; i++) {
                    byte[] payload = new byte[16 + r.nextInt(300)];
                    r.nextBytes(payload);
                    AppendReceipt a;
                    if (i % 5 == 4) {
                        a = store.appendBatch(List.of(
                                new AppendRequest(new Coordinate("k" + r.nextInt(20), "s"), EventKind.of(0xF, 2), payload),
                                new AppendRequest(new Coordinate("k" + r.nextInt(20), "s"), EventKind.of(0xF, 2), payload))).get(1);
                    } else {
                        a = store.append(new Coordinate("k" + r.nextInt(20), "s" + thread), EventKind.of(0xF, 1), payload);
                    }
                    synchronized (System.out) {
                        System.out.println("ack " + a.globalSequence() + " " + a.eventId() + " " + Hex.encode(payload));
                    }
                }
            });
            w.start();
            threads.add(w);
        }
        for (Thread w : threads) {
            w.join();
        }
    }
}
