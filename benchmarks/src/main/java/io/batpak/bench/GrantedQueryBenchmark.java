package io.batpak.bench;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.IndexEntry;
import io.batpak.engine.Region;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * (k) The cost of scope grants in the index query (issue 5): one page of 100 index entries from the
 * middle of a store of 100,000 events over 1,000 entities and 16 scopes, with grants reaching every
 * scope (no filtering: the baseline), one scope ({@code scope-3}), or seven ({@code scope-1*}), and
 * the same with an entity-prefix filter. Index only (no disk reads), so the grant check is what is
 * measured. Microseconds per query.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class GrantedQueryBenchmark {
    static final int ENTITIES = 1000;
    static final int PER_ENTITY = 100;

    @Param({"*", "scope-3", "scope-1*"})
    public String grant;

    Path dir;
    EventStore store;
    Region page;
    Region prefixed;

    @Setup
    public void build() throws IOException {
        dir = BenchFiles.tempDir("grants");
        store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.NEVER));
        EventKind kind = EventKind.of(0xF, 1);
        byte[] payload = new byte[100];
        for (int b = 0; b < PER_ENTITY; b++) {
            List<AppendRequest> batch = new ArrayList<>(ENTITIES);
            for (int i = 0; i < ENTITIES; i++) {
                batch.add(new AppendRequest(new Coordinate("entity-" + i, "scope-" + i % 16), kind, payload));
            }
            store.appendBatch(batch);
        }
        ScopeGrants grants = ScopeGrants.of(Set.of(grant));
        page = Region.all().withGrants(grants).withAfter(ENTITIES * PER_ENTITY / 2).withLimit(100);
        prefixed = page.withEntityPrefix("entity-1");
    }

    @TearDown
    public void close() {
        store.close();
        BenchFiles.delete(dir);
    }

    @Benchmark
    public List<IndexEntry> queryPage() {
        return store.query(page);
    }

    @Benchmark
    public List<IndexEntry> queryPageWithEntityPrefix() {
        return store.query(prefixed);
    }
}
