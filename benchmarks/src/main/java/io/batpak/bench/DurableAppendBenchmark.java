package io.batpak.bench;

import io.batpak.engine.Coordinate;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.ScopeGrants;
import io.batpak.engine.StoreConfig;
import io.batpak.engine.StoreStats;
import io.batpak.engine.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * (a) Durable appends from 16 threads, 200-byte payloads over 1000 entities, sync mode
 * EVERY_COMMIT (fsync before every answer). Baselines in the same run, same 16 threads:
 * <ul>
 * <li>{@code baselineFileChannelGroupCommit}: the disk's group-commit ceiling. Each thread hands
 * a record and a future to a bounded queue; one thread drains everything queued, writes it with
 * one FileChannel.write, calls force(false) once, then completes all the futures. Records are as
 * large as the engine's frames for the same event by default (measured through the public API,
 * see {@link EngineFormat#frameBytes}); {@code -p recordBytes=200} gives the bare-payload
 * ceiling.</li>
 * <li>{@code postgresJdbcInsert}: the hand-rolled events table this store replaces. 16 JDBC
 * connections (one per thread) to a PostgreSQL server with {@code synchronous_commit=on}, each
 * inserting one row per statement in autocommit (so every insert waits for its WAL flush):
 * entity, scope, kind and the same 200-byte payload. The server is given by
 * {@code -p jdbcUrl=...}, else the system property {@code batpak.bench.jdbcUrl}, else the
 * environment variable {@code BATPAK_BENCH_JDBC_URL}; when none is set or no server answers the
 * benchmark fails at setup with a message saying so (JMH then goes on with the others).
 * benchmarks/engine.sh starts a throwaway cluster and passes its URL.</li>
 * </ul>
 * Scores are appends (inserts) per second, all threads together. Default settings (2 x 10 s
 * warm-up, 3 x 10 s measurement, 1 fork) are the ones benchmarks/engine.sh uses.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(16)
@Fork(1)
@Warmup(iterations = 2, time = 10)
@Measurement(iterations = 3, time = 10)
public class DurableAppendBenchmark {
    static final int PAYLOAD = 200;
    static final int ENTITIES = 1000;
    /** Same bound as the engine's default writer queue. */
    static final int QUEUE = 4096;

    @State(Scope.Benchmark)
    public static class Store {
        Path dir;
        EventStore store;
        final Coordinate[] coordinates = new Coordinate[ENTITIES];
        final EventKind kind = EventKind.of(0xF, 1);

        @Setup
        public void open() {
            dir = BenchFiles.tempDir("durable");
            store = EventStore.open(StoreConfig.defaults(dir).withSyncMode(SyncMode.EVERY_COMMIT));
            for (int i = 0; i < ENTITIES; i++) {
                coordinates[i] = new Coordinate("account-" + i, "bank");
            }
        }

        @TearDown
        public void close() {
            StoreStats s = store.stats(ScopeGrants.ALL);
            System.out.printf("%n[batpak] events=%,d groupCommits=%,d fsyncs=%,d events/group=%.1f "
                            + "meanFsync=%.1fus maxFsync=%.1fus bytes/event=%.0f%n",
                    s.events(), s.groupCommits(), s.fsyncs(), s.events() / (double) Math.max(1, s.groupCommits()),
                    s.fsyncNanosTotal() / 1e3 / Math.max(1, s.fsyncs()), s.fsyncNanosMax() / 1e3,
                    s.bytes() / (double) Math.max(1, s.events()));
            store.close();
            BenchFiles.delete(dir);
        }
    }

    /** One record handed to the baseline writer, answered once it is forced. */
    record Pending(byte[] record, CompletableFuture<Void> done) {
    }

    /** The baseline: a minimal group-commit loop over a plain FileChannel. */
    @State(Scope.Benchmark)
    public static class GroupCommitLoop {
        Path dir;
        FileChannel channel;
        final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(QUEUE);
        Thread writer;
        volatile boolean running = true;
        /**
         * Bytes of each record the baseline writes and forces, after its 8-byte header: "frame"
         * (the default) makes header + record as large as the engine's frame for the same event;
         * a number (e.g. 200, the bare payload) sets it directly.
         */
        @Param({"frame"})
        String recordBytes;
        int recordLength;
        long groups;
        long records;
        long forceNanos;

        @Setup
        public void open() throws IOException {
            if (recordBytes.equals("frame")) {
                int frame = EngineFormat.frameBytes(new Coordinate("account-500", "bank"), EventKind.of(0xF, 1),
                        PAYLOAD);
                recordLength = frame - 8;
                System.out.printf("%n[baseline] engine frame for a %d-byte payload: %d bytes on disk%n", PAYLOAD,
                        frame);
            } else {
                recordLength = Integer.parseInt(recordBytes);
            }
            dir = BenchFiles.tempDir("groupcommit");
            channel = FileChannel.open(dir.resolve("log"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            writer = new Thread(this::loop, "baseline-writer");
            writer.start();
        }

        private void loop() {
            List<Pending> group = new ArrayList<>(QUEUE);
            ByteBuffer buf = ByteBuffer.allocateDirect(QUEUE * (recordLength + 8));
            try {
                while (running) {
                    Pending first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    group.add(first);
                    queue.drainTo(group);
                    buf.clear();
                    for (Pending p : group) {
                        buf.putInt(p.record().length).putInt(0).put(p.record());
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        channel.write(buf);
                    }
                    long t0 = System.nanoTime();
                    channel.force(false);
                    forceNanos += System.nanoTime() - t0;
                    groups++;
                    records += group.size();
                    for (Pending p : group) {
                        p.done().complete(null);
                    }
                    group.clear();
                }
            } catch (IOException | InterruptedException e) {
                group.forEach(p -> p.done().completeExceptionally(e));
            }
        }

        @TearDown
        public void close() throws Exception {
            running = false;
            writer.join();
            System.out.printf("%n[baseline] recordBytes=%d+8 records=%,d groups=%,d records/group=%.1f"
                            + " meanFsync=%.1fus%n", recordLength, records, groups,
                    records / (double) Math.max(1, groups), forceNanos / 1e3 / Math.max(1, groups));
            channel.close();
            BenchFiles.delete(dir);
        }
    }

    /** The PostgreSQL side, once per run: the table, created fresh and dropped at the end. */
    @State(Scope.Benchmark)
    public static class Postgres {
        static final String TABLE = "batpak_bench_events";
        /** JDBC URL of the server; empty: take the system property or environment variable. */
        @Param({""})
        String jdbcUrl;
        String url;

        @Setup
        public void createTable() throws SQLException {
            url = !jdbcUrl.isEmpty() ? jdbcUrl
                    : System.getProperty("batpak.bench.jdbcUrl", System.getenv().getOrDefault("BATPAK_BENCH_JDBC_URL", ""));
            if (url.isEmpty()) {
                throw new IllegalStateException("PostgreSQL baseline skipped: no JDBC URL given (-p jdbcUrl=..., "
                        + "-Dbatpak.bench.jdbcUrl or BATPAK_BENCH_JDBC_URL); benchmarks/engine.sh starts a server");
            }
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + TABLE);
                st.execute("CREATE TABLE " + TABLE + " (id bigserial PRIMARY KEY, entity text NOT NULL, "
                        + "scope text NOT NULL, kind int NOT NULL, payload bytea NOT NULL)");
                try (ResultSet rs = st.executeQuery("SELECT current_setting('synchronous_commit'), "
                        + "current_setting('fsync'), version()")) {
                    rs.next();
                    System.out.printf("%n[postgres] synchronous_commit=%s fsync=%s %s%n", rs.getString(1),
                            rs.getString(2), rs.getString(3));
                    if (!rs.getString(1).equals("on") || !rs.getString(2).equals("on")) {
                        throw new IllegalStateException("the PostgreSQL baseline needs synchronous_commit=on and "
                                + "fsync=on, the server has " + rs.getString(1) + "/" + rs.getString(2));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("PostgreSQL baseline skipped: no server answers at " + url + " ("
                        + e.getMessage() + "); benchmarks/engine.sh starts one", e);
            }
        }

        @TearDown
        public void dropTable() throws SQLException {
            try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + TABLE)) {
                    rs.next();
                    System.out.printf("%n[postgres] rows inserted=%,d%n", rs.getLong(1));
                }
                st.execute("DROP TABLE " + TABLE);
            }
        }
    }

    /** One JDBC client per benchmark thread, autocommit, one prepared INSERT. */
    @State(Scope.Thread)
    public static class JdbcClient {
        Connection connection;
        PreparedStatement insert;
        final String[] entities = new String[ENTITIES];
        final byte[] payload = new byte[PAYLOAD];

        @Setup
        public void connect(Postgres pg) throws SQLException {
            connection = DriverManager.getConnection(pg.url);
            connection.setAutoCommit(true);
            insert = connection.prepareStatement("INSERT INTO " + Postgres.TABLE
                    + " (entity, scope, kind, payload) VALUES (?, ?, ?, ?)");
            for (int i = 0; i < ENTITIES; i++) {
                entities[i] = "account-" + i;
            }
        }

        @TearDown
        public void disconnect() throws SQLException {
            insert.close();
            connection.close();
        }
    }

    @Benchmark
    public Object batpakDurableAppend(Store s) {
        Coordinate c = s.coordinates[ThreadLocalRandom.current().nextInt(ENTITIES)];
        return s.store.append(c, s.kind, new byte[PAYLOAD]);
    }

    @Benchmark
    public Object baselineFileChannelGroupCommit(GroupCommitLoop l) throws Exception {
        Pending p = new Pending(new byte[l.recordLength], new CompletableFuture<>());
        l.queue.put(p);
        return p.done().get();
    }

    @Benchmark
    public int postgresJdbcInsert(JdbcClient c) throws SQLException {
        PreparedStatement insert = c.insert;
        insert.setString(1, c.entities[ThreadLocalRandom.current().nextInt(ENTITIES)]);
        insert.setString(2, "bank");
        insert.setInt(3, 0xF0001);
        insert.setBytes(4, c.payload);
        return insert.executeUpdate();
    }
}
