package io.batpak.streams.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Call, poll and reply of {@link Endpoints}: presence, timeouts, stale replies, in-JVM handlers, shutdown. */
class EndpointsTest {
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_S = 20;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final Endpoints endpoints = new Endpoints(ExchangeConfig.defaults().withHandlerPresenceMs(5_000)
            .withMaxPendingCalls(2).withClock(clock::get));

    @AfterEach
    void stop() {
        endpoints.close();
        pool.shutdownNow();
    }

    private static ErrorCode code(Runnable r) {
        return assertThrows(StoreException.class, r::run).code();
    }

    private CompletableFuture<String> callAsync(String name, String payload, long timeoutMs) {
        return CompletableFuture.supplyAsync(() -> endpoints.call(name, payload, timeoutMs), pool);
    }

    /** Polls until one call comes (each poll waits up to 1 s). */
    private EndpointCall take(String name) {
        for (int i = 0; i < HANG_GUARD_S; i++) {
            List<EndpointCall> calls = endpoints.poll(name, "h1", 1, 1_000);
            if (!calls.isEmpty()) {
                return calls.get(0);
            }
        }
        throw new AssertionError("no call reached the handler of " + name);
    }

    @Test
    void aCallWithoutAnyHandlerIsNoHandlerAtOnce() {
        assertEquals(ErrorCode.NO_HANDLER, code(() -> endpoints.call("quote", "1", 60_000)));
        assertFalse(endpoints.present("quote"));
    }

    @Test
    void anHttpHandlerPollsAndItsReplyReachesTheCaller() throws Exception {
        endpoints.poll("quote", "h1", 1, 0); // announces the handler
        CompletableFuture<String> answer = callAsync("quote", "{\"sku\":1}", 10_000);
        EndpointCall c = take("quote");
        assertEquals("{\"sku\":1}", c.payload());
        assertEquals(ReplyOutcome.ACCEPTED, endpoints.reply("quote", c.callId(), "{\"price\":3}", null));
        assertEquals("{\"price\":3}", answer.get(HANG_GUARD_S, TimeUnit.SECONDS));
        assertEquals(ReplyOutcome.ALREADY_ANSWERED, endpoints.reply("quote", c.callId(), "4", null));
        assertEquals(ReplyOutcome.UNKNOWN, endpoints.reply("quote", "no-such-call", "4", null));
        assertEquals(0, endpoints.unanswered("quote"));
    }

    @Test
    void aCallNobodyAnswersTimesOutAndTheLateReplyIsReportedExpired() throws Exception {
        endpoints.poll("slow", "h1", 1, 0);
        CompletableFuture<String> answer = callAsync("slow", "1", 300);
        EndpointCall c = take("slow");
        Exception e = assertThrows(Exception.class, () -> answer.get(HANG_GUARD_S, TimeUnit.SECONDS));
        assertEquals(ErrorCode.TIMEOUT, ((StoreException) e.getCause()).code(), e::toString);
        assertEquals(ReplyOutcome.EXPIRED, endpoints.reply("slow", c.callId(), "late", null));
        assertEquals(0, endpoints.unanswered("slow"), "the timed-out call is still held");
    }

    @Test
    void aHandlerCountsAsPresentOnlyWithinTheWindowAfterItsLastPoll() {
        endpoints.poll("win", "h1", 1, 0);
        clock.addAndGet(5_000);
        assertTrue(endpoints.present("win"), "present at the edge of the window");
        clock.addAndGet(1);
        assertFalse(endpoints.present("win"), "present after the window");
        assertEquals(ErrorCode.NO_HANDLER, code(() -> endpoints.call("win", "1", 100)));
    }

    @Test
    void anErrorReplyFailsTheCallAsHandlerFailed() throws Exception {
        endpoints.poll("err", "h1", 1, 0);
        CompletableFuture<String> answer = callAsync("err", "1", 10_000);
        EndpointCall c = take("err");
        assertEquals(ReplyOutcome.ACCEPTED, endpoints.reply("err", c.callId(), null, "out of stock"));
        Exception e = assertThrows(Exception.class, () -> answer.get(HANG_GUARD_S, TimeUnit.SECONDS));
        StoreException se = (StoreException) e.getCause();
        assertEquals(ErrorCode.HANDLER_FAILED, se.code());
        assertTrue(se.getMessage().contains("out of stock"), se::getMessage);
    }

    @Test
    void pendingCallsAreBoundedPerEndpoint() throws Exception {
        endpoints.poll("busy", "h1", 1, 0);
        CompletableFuture<String> a = callAsync("busy", "1", 10_000);
        CompletableFuture<String> b = callAsync("busy", "2", 10_000);
        while (endpoints.unanswered("busy") < 2) {
            Thread.onSpinWait();
        }
        assertEquals(ErrorCode.ENDPOINT_BUSY, code(() -> endpoints.call("busy", "3", 10_000)));
        List<EndpointCall> calls = endpoints.poll("busy", "h1", 10, 0);
        assertEquals(2, calls.size());
        calls.forEach(c -> endpoints.reply("busy", c.callId(), "ok" + c.payload(), null));
        assertEquals(List.of("ok1", "ok2"), List.of(a.get(HANG_GUARD_S, TimeUnit.SECONDS),
                b.get(HANG_GUARD_S, TimeUnit.SECONDS)));
    }

    @Test
    void anInJvmHandlerServesCallsAndItsExceptionIsHandlerFailed() throws Exception {
        endpoints.serve("echo", p -> {
            if (p.equals("boom")) {
                throw new IllegalStateException("no boom today");
            }
            return "echo:" + p;
        }, pool);
        assertTrue(endpoints.present("echo"), "an in-JVM handler is always present");
        assertEquals("echo:hi", endpoints.call("echo", "hi", 5_000));
        StoreException e = assertThrows(StoreException.class, () -> endpoints.call("echo", "boom", 5_000));
        assertEquals(ErrorCode.HANDLER_FAILED, e.code());
        assertTrue(e.getMessage().contains("no boom today"), e::getMessage);
        assertEquals(ErrorCode.INVALID_REQUEST, code(() -> endpoints.poll("echo", "h1", 1, 0)),
                "an HTTP handler may not poll a bean's endpoint");
        assertEquals(ErrorCode.INVALID_REQUEST, code(() -> endpoints.serve("echo", p -> p, pool)));
    }

    @Test
    void closeWakesWaitingCallersAndPollers() throws Exception {
        endpoints.poll("down", "h1", 1, 0);
        CompletableFuture<List<EndpointCall>> poller = CompletableFuture.supplyAsync(
                () -> endpoints.poll("other", "h2", 1, 30_000), pool);
        CompletableFuture<String> caller = callAsync("down", "1", 30_000);
        while (endpoints.unanswered("down") < 1 || !endpoints.present("other")) {
            Thread.onSpinWait(); // both the call and the poll are waiting now
        }
        endpoints.close();
        Exception e = assertThrows(Exception.class, () -> caller.get(HANG_GUARD_S, TimeUnit.SECONDS));
        assertEquals(ErrorCode.UNAVAILABLE, ((StoreException) e.getCause()).code());
        assertEquals(List.of(), poller.get(HANG_GUARD_S, TimeUnit.SECONDS), "close() did not wake the poll");
        assertEquals(ErrorCode.UNAVAILABLE, code(() -> endpoints.call("down", "1", 100)));
    }
}
