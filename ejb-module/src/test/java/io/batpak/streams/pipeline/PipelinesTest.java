package io.batpak.streams.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventKind;
import io.batpak.engine.StoreException;
import io.batpak.streams.AckResult;
import io.batpak.streams.StartPosition;
import io.batpak.streams.StreamEvent;
import io.batpak.streams.TxStatement;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pipelines end to end on a real store: tiers, atomic outputs, triggers, parking, restarts. */
class PipelinesTest {
    private static final EventKind ORDER = EventKind.of(1, 1);
    private static final EventKind NOISE = EventKind.of(1, 2);
    private static final Caller C = Caller.ANONYMOUS;
    private static final List<StageSpec> DIAMOND = List.of(new StageSpec("validate"),
            new StageSpec("charge", List.of("validate")), new StageSpec("email", List.of("validate")),
            new StageSpec("ship", List.of("charge", "email")));

    @TempDir
    Path dir;
    private PipelinesFixture f;

    @BeforeEach
    void open() {
        f = new PipelinesFixture(dir);
        f.streams.createOrGrow("orders", 2, C);
        f.streams.createOrGrow("shipments", 1, C);
    }

    @AfterEach
    void close() {
        f.close();
    }

    private PipelineDefinition fulfil(int maxDeliveries) {
        return new PipelineDefinition(1, "orders", List.of(ORDER.value()), StartPosition.EARLIEST, maxDeliveries, 1000, DIAMOND);
    }

    private void publish(String key, EventKind kind) {
        f.streams.publish("orders", List.of(new StreamEvent(key, kind, bytes(key))), C);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private StageDelivery one(String stage) {
        List<StageDelivery> d = f.pipelines.poll("fulfil", stage, "w", 10, 0, C);
        assertEquals(1, d.size(), "one delivery of " + stage + ": " + d);
        return d.get(0);
    }

    private void none(String stage) {
        assertEquals(List.of(), f.pipelines.poll("fulfil", stage, "w", 10, 0, C), stage + " has nothing ready");
    }

    @Test
    void runsTiersInOrderAndCommitsOutputsWithStreamEventsOnce() {
        assertTrue(f.pipelines.define("fulfil", fulfil(0), C));
        assertFalse(f.pipelines.define("fulfil", fulfil(0), C), "the same definition again is a no-op");
        assertEquals(ErrorCode.PIPELINE_EXISTS, assertThrows(StoreException.class,
                () -> f.pipelines.define("fulfil", fulfil(2), C)).code());
        publish("o1", ORDER);
        publish("o2", NOISE);
        none("charge");
        StageDelivery v = one("validate");
        none("validate");
        assertEquals("o1", new String(v.trigger().payload(), StandardCharsets.UTF_8));
        assertEquals(1, f.pipelines.ack("fulfil", "validate", v.deliveryId(), bytes("valid"), List.of(), C).settled());
        StageDelivery charge = one("charge");
        StageDelivery email = one("email");
        none("ship");
        assertArrayEquals(bytes("valid"), charge.inputs().get("validate"));
        f.pipelines.ack("fulfil", "charge", charge.deliveryId(), bytes("charged"), List.of(), C);
        f.pipelines.ack("fulfil", "email", email.deliveryId(), bytes("sent"), List.of(), C);
        StageDelivery ship = one("ship");
        assertEquals(2, ship.inputs().size());
        AckResult shipped = f.pipelines.ack("fulfil", "ship", ship.deliveryId(), bytes("shipped"), List.of(
                new TxStatement.Publish("shipments", new StreamEvent("o1", ORDER, bytes("box")))), C);
        assertEquals(1, shipped.settled());
        assertEquals(List.of(ship.deliveryId()), f.pipelines.ack("fulfil", "ship", ship.deliveryId(), bytes("again"),
                List.of(new TxStatement.Publish("shipments", new StreamEvent("o1", ORDER, bytes("box")))), C).unknown(),
                "a second ack is unknown and writes nothing");
        assertEquals(1, f.streams.heads("shipments")[0], "the stream output was published once");
        InstanceView view = f.pipelines.instance("fulfil", v.instanceId());
        assertTrue(view.done());
        assertArrayEquals(bytes("shipped"), view.stages().get("ship").output());
        PipelineSummary s = f.pipelines.summary("fulfil");
        assertEquals(1, s.instances(), "the noise event triggers nothing");
        assertEquals(1, s.done());

        f.reopen();
        InstanceView after = f.pipelines.instance("fulfil", v.instanceId());
        assertTrue(after.done());
        assertArrayEquals(bytes("charged"), after.stages().get("charge").output());
        none("validate");
        assertEquals(1, f.pipelines.summary("fulfil").done());
    }

    @Test
    void manualTriggerStartsOneInstanceAndAckWithoutOutputIsANack() {
        f.pipelines.define("fulfil", fulfil(0), C);
        publish("o2", NOISE);
        none("validate");
        String id = f.pipelines.trigger("fulfil", f.streams.heads("orders")[0] > 0 ? 0 : 1, 0, C);
        assertEquals(ErrorCode.INSTANCE_EXISTS, assertThrows(StoreException.class,
                () -> f.pipelines.trigger("fulfil", Instance.parse(id) == null ? 0 : (int) Instance.parse(id)[0], 0, C)).code());
        StageDelivery v = one("validate");
        assertEquals(id, v.instanceId());
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                () -> f.pipelines.ack("fulfil", "validate", v.deliveryId(), null, List.of(), C)).code());
        StageDelivery again = one("validate");
        assertEquals(2, f.pipelines.instance("fulfil", id).stages().get("validate").deliveries());
        assertEquals(1, f.pipelines.ack("fulfil", "validate", again.deliveryId(), bytes("ok"), List.of(), C).settled());
    }

    @Test
    void parksAfterMaxDeliveriesAcrossARestartAndReplays() {
        f.pipelines.define("fulfil", fulfil(2), C);
        publish("o1", ORDER);
        StageDelivery v = one("validate");
        f.pipelines.nack("fulfil", "validate", v.deliveryId(), "bad card", C);
        one("validate");
        f.clock.addAndGet(1001); // the second delivery times out: parked
        none("validate");
        f.reopen();
        none("validate");
        InstanceView parked = f.pipelines.instance("fulfil", v.instanceId());
        assertEquals(StageState.PARKED, parked.stages().get("validate").state());
        assertEquals(1, f.pipelines.summary("fulfil").parked());
        assertEquals(1, f.pipelines.replay("fulfil", null, C));
        StageDelivery back = one("validate");
        f.pipelines.ack("fulfil", "validate", back.deliveryId(), bytes("ok"), List.of(), C);
        assertEquals(StageState.READY, f.pipelines.instance("fulfil", v.instanceId()).stages().get("charge").state());
    }

    @Test
    void aBadStreamEventRefusesTheAckAndKeepsTheDeliveryOut() {
        f.pipelines.define("fulfil", fulfil(0), C);
        publish("o1", ORDER);
        StageDelivery v = one("validate");
        assertThrows(StoreException.class, () -> f.pipelines.ack("fulfil", "validate", v.deliveryId(), bytes("x"),
                List.of(new TxStatement.Publish("nowhere", new StreamEvent("k", ORDER, bytes("e")))), C));
        assertEquals(1, f.pipelines.ack("fulfil", "validate", v.deliveryId(), bytes("ok"), List.of(), C).settled());
    }

    @Test
    void latestStartIgnoresEarlierEvents() {
        publish("o0", ORDER);
        f.pipelines.define("fulfil", new PipelineDefinition(1, "orders", List.of(), StartPosition.LATEST, 0, 1000, DIAMOND), C);
        none("validate");
        publish("o1", ORDER);
        assertEquals("o1", new String(one("validate").trigger().payload(), StandardCharsets.UTF_8));
    }

    @Test
    void unknownNamesStagesInstancesAndStreamsAreNotFound() {
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> f.pipelines.define("x",
                PipelineDefinition.of("missing", DIAMOND), C)).code(), "the input stream must exist");
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> f.pipelines.summary("nope")).code());
        f.pipelines.define("fulfil", fulfil(0), C);
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class,
                () -> f.pipelines.poll("fulfil", "refund", "w", 1, 0, C)).code());
        for (String id : List.of("9:9", "bad", "0:-1", "01:2", ":")) {
            assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> f.pipelines.instance("fulfil", id)).code(), id);
        }
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(StoreException.class, () -> f.pipelines.trigger("fulfil", 0, 0, C)).code(),
                "no event there yet");
        assertEquals(ErrorCode.INVALID_REQUEST, assertThrows(StoreException.class,
                () -> f.pipelines.define("a/b", fulfil(0), C)).code());
    }
}
