package io.batpak.streams.pipeline;

import io.batpak.engine.AppendOptions;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.StoredEvent;
import io.batpak.engine.util.Completions;
import io.batpak.streams.Streams;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the trigger events of a pipeline's input stream past its cursor and starts their
 * instances (see {@link #discover}). Stateless apart from the {@link Streams} it reads and writes
 * through; one discovery per pipeline at a time ({@link Pipeline#discovery}).
 */
final class TriggerDiscovery {
    /** Most input events one discovery pass reads from a partition. */
    private static final int SCAN_PAGE = 500;

    private final Streams streams;

    TriggerDiscovery(Streams streams) {
        this.streams = streams;
    }

    static AppendRequest start(Pipeline p, Instance i, boolean manual) {
        return new AppendRequest(PipelineLog.instanceEntity(p, i.id), PipelineCodec.STARTED,
                PipelineCodec.started(i.partition, i.offset, manual),
                AppendOptions.NONE.withExpectedSequence(AppendOptions.NO_EVENTS));
    }

    /**
     * Starts an instance for each trigger event past the cursor. The instance starts and the new
     * cursor are one batch, so after a crash the cursor never runs ahead of the instances; an
     * instance started by hand meanwhile makes that batch fail, and then each start is written on
     * its own (the existing ones refused) before the cursor.
     */
    void discover(Pipeline p, Caller caller) {
        if (!p.discovery.tryLock()) {
            return; // another poll is at it; this one takes what it finds
        }
        try {
            String input = p.definition.input();
            long[] heads = streams.heads(input);
            long[] cursor;
            synchronized (p) {
                cursor = p.cursor(heads.length);
            }
            List<Instance> found = new ArrayList<>();
            boolean moved = false;
            for (int part = 0; part < heads.length; part++) {
                if (cursor[part] >= heads[part]) {
                    continue;
                }
                int n = (int) Math.min(SCAN_PAGE, heads[part] - cursor[part]);
                for (StoredEvent e : streams.readPartition(input, part, cursor[part], n)) {
                    if (p.definition.triggeredBy(e.kind().value())) {
                        Instance i = new Instance(part, e.sequence());
                        i.trigger = e;
                        found.add(i);
                    }
                    cursor[part] = e.sequence() + 1;
                    moved = true;
                }
            }
            if (!moved) {
                return;
            }
            List<AppendRequest> batch = new ArrayList<>(found.size() + 1);
            for (Instance i : found) {
                batch.add(start(p, i, false));
            }
            AppendRequest cursorRecord = new AppendRequest(p.entity, PipelineCodec.CURSOR, PipelineCodec.cursor(cursor));
            batch.add(cursorRecord);
            List<Instance> started = found;
            try {
                write(batch, caller);
            } catch (StoreException e) {
                if (e.code() != ErrorCode.SEQUENCE_MISMATCH) {
                    throw e;
                }
                started = new ArrayList<>();
                for (Instance i : found) {
                    try {
                        write(List.of(start(p, i, false)), caller);
                        started.add(i);
                    } catch (StoreException one) {
                        if (one.code() != ErrorCode.SEQUENCE_MISMATCH) {
                            throw one;
                        }
                    }
                }
                write(List.of(cursorRecord), caller);
            }
            synchronized (p) {
                p.advanceCursor(cursor);
                for (Instance i : started) {
                    p.adopt(i);
                }
                p.signal.signal();
            }
        } finally {
            p.discovery.unlock();
        }
    }

    private void write(List<AppendRequest> records, Caller caller) {
        Completions.await(streams.publishWithRecords(records, List.of(), caller));
    }
}
