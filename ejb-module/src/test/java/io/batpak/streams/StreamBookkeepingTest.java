package io.batpak.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.Coordinate;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams' bookkeeping is the store's own: clients cannot write its kinds or names through a
 * transaction or a publish, a damaged bookkeeping record is skipped (never an OOM or a stream that
 * can no longer be read), and open transactions buffer a bounded number of bytes.
 */
class StreamBookkeepingTest {
    private static final EventKind KIND = EventKind.of(0x1, 1);
    private static final Caller ALICE = new Caller("alice", Set.of("writer"), Set.of("*"));
    private static final Caller BOB = new Caller("bob", Set.of("writer"), Set.of("*"));

    @TempDir
    Path dir;
    private StreamsFixture fixture;
    private EventStore store;
    private Streams streams;

    private void open(TxLimits limits) {
        fixture = new StreamsFixture(dir, c -> c.withTxLimits(limits));
        store = fixture.store;
        streams = fixture.streams;
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static TxStatement append(String entity, int bytes) {
        return new TxStatement.Append(new AppendRequest(new Coordinate(entity, "shop"), KIND, new byte[bytes]));
    }

    private static void assertCode(ErrorCode code, Runnable r, String what) {
        StoreException e = assertThrows(StoreException.class, r::run, what);
        assertEquals(code, e.code(), what + ": " + e.getMessage());
    }

    @Test
    void transactionsRefuseReservedKindsAndNamesWhenAStatementIsAdded() {
        open(TxLimits.DEFAULTS);
        streams.createOrGrow("orders", 1, ALICE);
        String tx = streams.begin(ALICE);
        assertCode(ErrorCode.RESERVED_ENTITY, () -> streams.add(tx, append("stream:orders/0", 1), ALICE),
                "an append to a stream partition");
        assertCode(ErrorCode.RESERVED_ENTITY, () -> streams.add(tx, append("group:orders/g", 1), ALICE), "a group entity");
        assertCode(ErrorCode.RESERVED_KIND, () -> streams.add(tx, new TxStatement.Append(new AppendRequest(
                new Coordinate("x", "shop"), EventKind.of(0xE, 3), new byte[0])), ALICE), "a bookkeeping kind");
        assertCode(ErrorCode.RESERVED_KIND, () -> streams.publish("orders",
                List.of(new StreamEvent("k", EventKind.of(0xE, 1), new byte[0])), ALICE), "a publish with a bookkeeping kind");
        streams.add(tx, append("order:1", 10), ALICE);
        assertEquals(1, streams.commit(tx, null, ALICE).receipts().size(), "the transaction stayed open and commits");
    }

    @Test
    void openTransactionsBufferBoundedBytesPerStatementTransactionCallerAndInAll() {
        open(new TxLimits(1_000, 3_000, 4_500, 7_500)); // each statement below holds 969 bytes
        String a1 = streams.begin(ALICE);
        assertCode(ErrorCode.PAYLOAD_TOO_LARGE, () -> streams.add(a1, append("e", 2_000), ALICE), "one statement too big");
        streams.add(a1, append("e", 900), ALICE);
        streams.add(a1, append("e", 900), ALICE);
        streams.add(a1, append("e", 900), ALICE);
        assertCode(ErrorCode.PAYLOAD_TOO_LARGE, () -> streams.add(a1, append("e", 900), ALICE), "the transaction is full");
        String a2 = streams.begin(ALICE);
        streams.add(a2, append("e", 900), ALICE);
        assertCode(ErrorCode.PAYLOAD_TOO_LARGE, () -> streams.add(a2, append("e", 900), ALICE),
                "alice's open transactions together are full");
        String b1 = streams.begin(BOB);
        streams.add(b1, append("e", 900), BOB);
        streams.add(b1, append("e", 900), BOB);
        streams.add(b1, append("e", 900), BOB);
        String b2 = streams.begin(BOB);
        assertCode(ErrorCode.PAYLOAD_TOO_LARGE, () -> streams.add(b2, append("e", 900), BOB), "the store-wide cap");
        assertEquals(3, streams.commit(a1, null, ALICE).receipts().size(), "a full transaction still commits");
        streams.add(b2, append("e", 900), BOB); // alice's commit gave its bytes back
        streams.abort(a2, ALICE);
        String a3 = streams.begin(ALICE);
        streams.add(a3, append("e", 900), ALICE); // and so did the abort
    }

    @Test
    void damagedStreamAndGroupRecordsAreSkippedAndTheStreamStaysReadable() {
        open(TxLimits.DEFAULTS);
        streams.createOrGrow("orders", 2, ALICE);
        streams.publish("orders", List.of(new StreamEvent("k", KIND, "x".getBytes(StandardCharsets.UTF_8))), ALICE);
        streams.poll("orders", "g", "c1", 10, 0, null, ALICE).forEach(d -> streams.ack("orders", "g", List.of(d.deliveryId()), ALICE));
        // The store's own layer could write these; a damaged disk or a bug could too.
        store.append(new Coordinate("stream:orders", "orders"), StreamNames.STREAM_CONFIG,
                "{\"partitions\":2000000000}".getBytes(StandardCharsets.UTF_8));
        store.append(new Coordinate("stream:orders", "orders"), StreamNames.STREAM_CONFIG,
                "not json".getBytes(StandardCharsets.UTF_8));
        store.append(StreamNames.group("orders", "g"), StreamNames.GROUP_ACK,
                "{\"acks\":[[1000000,0],[0,-5]]}".getBytes(StandardCharsets.UTF_8));
        store.append(StreamNames.group("orders", "g"), StreamNames.GROUP_ACK, "garbage".getBytes(StandardCharsets.UTF_8));
        streams.close();
        streams = new Streams(store, StreamsConfig.defaults());
        assertEquals(2, streams.partitions("orders"), "the bad configurations were skipped");
        long[] heads = streams.heads("orders");
        assertEquals(1, heads[0] + heads[1], "the stream reads as before");
        long acked = streams.state("orders", "g").stream().mapToLong(PartitionState::committedOffset).sum();
        assertEquals(1, acked, "the good ack still counts and the bad ones are ignored");
    }
}
