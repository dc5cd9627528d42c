package io.batpak.engine.log;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.SequenceMismatchException;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.util.Hex;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Child process for {@link CrashRecoveryTest}'s SIGKILL test: opens the store in {@code args[0]}
 * (fsync on every commit, small segments so rotations and checkpoints happen while it runs) and
 * appends from 4 threads until killed: single appends, compare-and-swap appends with retries and
 * atomic batches. It prints {@code ready <globalSequence>} once open, then one line per
 * acknowledged event, {@code ack <gseq> <eventId> <sequence> <entity> <payloadHex> <hashHex>},
 * only after the append returned: every complete line is an event the store promised to keep.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        StoreConfig config = StoreConfig.defaults(Path.of(args[0])).withSegmentMaxBytes(64 * 1024)
                .withCheckpointIntervalEvents(300);
        EventStore store = EventStore.open(config);
        System.out.println("ready " + store.globalSequence());
        System.out.flush();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            final int thread = t;
            Thread w = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; ; i++) {
                    String entity = "k" + r.nextInt(20);
                    byte[] payload = new byte[r.nextInt(400)];
                    r.nextBytes(payload);
                    List<AppendReceipt> receipts;
                    List<byte[]> payloads = new ArrayList<>();
                    switch (i % 4) {
                        case 0, 1 -> {
                            receipts = List.of(store.append(new Coordinate(entity, "s" + Math.floorMod(entity.hashCode(), 4)), EventKind.of(0xF, 1), payload));
                            payloads.add(payload);
                        }
                        case 2 -> {
                            receipts = null;
                            while (receipts == null) {
                                long last = store.lastSequence(EntityQuery.of(entity));
                                try {
                                    receipts = List.of(store.append(new AppendRequest(new Coordinate(entity, "s" + Math.floorMod(entity.hashCode(), 4)),
                                            EventKind.of(0xF, 2), payload, AppendOptions.NONE.withExpectedSequence(last))));
                                } catch (SequenceMismatchException lost) {
                                    // another thread won: read the new last sequence and retry
                                }
                            }
                            payloads.add(payload);
                        }
                        default -> {
                            List<AppendRequest> batch = new ArrayList<>();
                            int n = 2 + r.nextInt(3);
                            for (int b = 0; b < n; b++) {
                                byte[] p = new byte[r.nextInt(200)];
                                r.nextBytes(p);
                                payloads.add(p);
                                String k = "k" + r.nextInt(20);
                                batch.add(new AppendRequest(new Coordinate(k, "s" + Math.floorMod(k.hashCode(), 4)),
                                        EventKind.of(0xF, 3), p));
                            }
                            receipts = store.appendBatch(batch);
                        }
                    }
                    StringBuilder out = new StringBuilder();
                    for (int k = 0; k < receipts.size(); k++) {
                        AppendReceipt a = receipts.get(k);
                        out.append("ack ").append(a.globalSequence()).append(' ').append(a.eventId()).append(' ')
                                .append(a.sequence()).append(' ').append(a.coordinate().entity()).append(' ')
                                .append(Hex.encode(payloads.get(k))).append(' ').append(a.hashHex()).append('\n');
                    }
                    synchronized (System.out) {
                        System.out.print(out);
                        System.out.flush();
                    }
                }
            }, "crash-writer-" + t);
            w.start();
            threads.add(w);
        }
        for (Thread w : threads) {
            w.join();
        }
    }
}
