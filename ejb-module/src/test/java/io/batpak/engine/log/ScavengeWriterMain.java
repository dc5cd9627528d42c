package io.batpak.engine.log;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.RetentionRule;
import io.batpak.engine.ScavengeStatus;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.util.Hex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Child process for {@link ScavengeCrashTest}: opens the store in {@code args[0]} (small segments,
 * so many are sealed and worth scavenging), keeps the newest {@value #KEEP} events of each entity
 * of scope "s", and until killed appends from 3 threads while a fourth scavenges in a loop, so the
 * kill lands anywhere in a scavenge: making hidden events permanent, building a rewrite, switching
 * it in, checkpointing.
 *
 * <p>Prints {@code ready <globalSequence>} (as opened, before its own rule event), then one line
 * per acknowledged append, {@code ack <gseq> <eventId> <sequence> <entity> <scope> <payloadHex>
 * <hashHex>}, only after the append returned, and {@code scavenge <state> <bytesReclaimed>} after
 * each scavenge (a failed one's error goes to stderr). A thread that throws prints its stack trace
 * and ends the process with exit code 2, so the parent sees a death before the kill.
 */
public final class ScavengeWriterMain {
    static final long KEEP = 8;
    private static final EventKind KIND = EventKind.of(0xF, 5);

    private ScavengeWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        StoreConfig config = StoreConfig.defaults(Path.of(args[0])).withSegmentMaxBytes(32 * 1024)
                .withCheckpointIntervalEvents(300);
        EventStore store = EventStore.open(config);
        long start = store.globalSequence();
        store.setRetention("s", new RetentionRule(null, KEEP));
        print("ready " + start + "\n");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            threads.add(new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 1; ; i++) {
                    Coordinate c = i % 10 == 0 ? new Coordinate("keeper", "other") : new Coordinate("k" + r.nextInt(12), "s");
                    byte[] payload = new byte[100 + r.nextInt(501)];
                    r.nextBytes(payload);
                    AppendReceipt a = store.append(c, KIND, payload);
                    print("ack " + a.globalSequence() + ' ' + a.eventId() + ' ' + a.sequence() + ' '
                            + a.coordinate().entity() + ' ' + a.coordinate().scope() + ' ' + Hex.encode(payload) + ' '
                            + a.hashHex() + '\n');
                }
            }, "scavenge-writer-" + t));
        }
        threads.add(new Thread(() -> {
            while (true) {
                ScavengeStatus st = store.scavenge(Runnable::run);
                if (st.state() == ScavengeStatus.State.FAILED) {
                    System.err.println("scavenge FAILED: " + st);
                    System.err.flush();
                }
                print("scavenge " + st.state() + ' ' + st.bytesReclaimed() + '\n');
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "scavenge-loop"));
        for (Thread t : threads) {
            t.setUncaughtExceptionHandler((th, e) -> {
                synchronized (System.err) {
                    System.err.println("thread " + th.getName() + " failed:");
                    e.printStackTrace();
                    System.err.flush();
                }
                Runtime.getRuntime().halt(2);
            });
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.print(line);
            System.out.flush();
        }
    }
}
