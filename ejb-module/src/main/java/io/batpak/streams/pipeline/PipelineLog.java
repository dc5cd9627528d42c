package io.batpak.streams.pipeline;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EntityQuery;
import io.batpak.engine.EventQuery;
import io.batpak.engine.EventStore;
import io.batpak.engine.QueryItem;
import io.batpak.engine.QueryResult;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoredEvent;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a pipeline lives in the log and how it is rebuilt from it. A pipeline {@code p} over the
 * stream {@code s} is the entity {@code pipeline:p} (its definition, then cursor records) and one
 * entity per instance, {@code pipeline:p/<partition>:<offset>}, all in scope {@code s}, so the
 * scope grants that cover the stream cover its pipelines. Rebuilding reads the instance records in
 * log order and keeps only the instances with a stage left. A record that does not decode is skipped
 * with a warning naming it. Stateless.
 */
final class PipelineLog {
    private static final Logger LOG = System.getLogger(PipelineLog.class.getName());
    private static final int PAGE = 1000;

    private PipelineLog() {
    }

    static String entityName(String pipeline) {
        return "pipeline:" + pipeline;
    }

    static Coordinate instanceEntity(Pipeline p, String instanceId) {
        return new Coordinate(entityName(p.name) + "/" + instanceId, p.definition.input());
    }

    /** The pipeline's entity, in whichever scope (input stream) it was created; empty if none. */
    static Optional<Coordinate> find(EventStore store, String pipeline) {
        return store.resolve(entityName(pipeline), ScopeGrants.ALL);
    }

    /** The stored pipeline with its active instances, or null if its entity holds no definition. */
    static Pipeline load(EventStore store, String name, Coordinate entity) {
        PipelineCodec.StoredDefinition def = null;
        long[] cursor = null;
        for (long from = 0; ; ) {
            List<StoredEvent> page = store.readEntity(EntityQuery.of(entity).withFrom(from).withLimit(PAGE));
            for (StoredEvent e : page) {
                try {
                    if (def == null && e.kind().equals(PipelineCodec.DEFINITION)) {
                        def = PipelineCodec.readDefinition(e.payload());
                    } else if (e.kind().equals(PipelineCodec.CURSOR)) {
                        cursor = PipelineCodec.readCursor(e.payload());
                    }
                } catch (RuntimeException bad) {
                    skip(name, e, bad);
                }
            }
            if (page.size() < PAGE) {
                break;
            }
            from = page.get(page.size() - 1).sequence() + 1;
        }
        if (def == null) {
            return null;
        }
        Pipeline p = new Pipeline(name, def.definition(), entity, def.startOffsets(), cursor);
        Map<String, Instance> building = new HashMap<>();
        EventQuery q = EventQuery.of(QueryItem.any().withScope(entity.scope()).withEntityPrefix(entity.entity() + "/"));
        for (long after = 0; ; ) {
            QueryResult r = store.query(q, after, PAGE);
            for (StoredEvent e : r.events()) {
                apply(p, building, e);
                after = e.globalSequence();
            }
            if (r.events().size() < PAGE) {
                break;
            }
        }
        for (Instance i : building.values()) {
            p.adopt(i);
        }
        return p;
    }

    /** Applies one instance record; an instance is adopted (and dropped from memory) once complete. */
    private static void apply(Pipeline p, Map<String, Instance> building, StoredEvent e) {
        String id = e.entity().substring(entityName(p.name).length() + 1);
        try {
            if (e.kind().equals(PipelineCodec.STARTED)) {
                PipelineCodec.Started s = PipelineCodec.readStarted(e.payload());
                building.putIfAbsent(id, new Instance(s.partition(), s.offset()));
                return;
            }
            Instance i = building.get(id);
            if (i == null) {
                return; // records of an instance already complete, or without a start: nothing to resume
            }
            replay(p.definition, i, e);
            if (i.complete(p.definition)) {
                building.remove(id);
                p.adopt(i);
            }
        } catch (RuntimeException bad) {
            skip(p.name, e, bad);
        }
    }

    /** Applies a record of kind OUTPUT, FAILED or REVIVED to {@code i}; the first output of a stage wins. */
    static void replay(PipelineDefinition d, Instance i, StoredEvent e) {
        if (e.kind().equals(PipelineCodec.OUTPUT)) {
            PipelineCodec.Output o = PipelineCodec.readOutput(e.payload());
            if (d.stage(o.stage()) != null) {
                i.outputs.putIfAbsent(o.stage(), o.output());
            }
        } else if (e.kind().equals(PipelineCodec.FAILED)) {
            PipelineCodec.Failed f = PipelineCodec.readFailed(e.payload());
            if (d.stage(f.stage()) != null && !i.outputs.containsKey(f.stage())) {
                i.fail(f.stage(), f.reason(), d.maxDeliveries());
            }
        } else if (e.kind().equals(PipelineCodec.REVIVED)) {
            i.revive(PipelineCodec.readRevived(e.payload()));
        }
    }

    /** An instance read from its own entity (done or not); null if it was never started. */
    static Instance read(EventStore store, Pipeline p, String instanceId) {
        List<StoredEvent> records = store.readEntity(EntityQuery.of(instanceEntity(p, instanceId)));
        if (records.isEmpty() || !records.get(0).kind().equals(PipelineCodec.STARTED)) {
            return null;
        }
        PipelineCodec.Started s = PipelineCodec.readStarted(records.get(0).payload());
        Instance i = new Instance(s.partition(), s.offset());
        for (StoredEvent e : records.subList(1, records.size())) {
            try {
                replay(p.definition, i, e);
            } catch (RuntimeException bad) {
                skip(p.name, e, bad);
            }
        }
        return i;
    }

    private static void skip(String pipeline, StoredEvent e, RuntimeException why) {
        LOG.log(Level.WARNING, "pipeline {0}: record {1} at sequence {2} is damaged ({3}); skipped", pipeline,
                e.entity(), e.sequence(), why.getMessage());
    }
}
