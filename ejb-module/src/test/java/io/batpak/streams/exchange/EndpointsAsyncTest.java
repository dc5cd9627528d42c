package io.batpak.streams.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.Completions;
import io.batpak.streams.wait.Waits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Endpoints#callAsync} and {@link Endpoints#pollAsync} on caller-given {@link Waits}: a
 * call's timeout and a poll's wait end on the shared timer with the same answers as the blocking
 * forms (TIMEOUT, then EXPIRED for a late reply; an empty poll), a caller that went away expires
 * its call, a call is answered once, and many handler polls wait at once on two threads.
 */
class EndpointsAsyncTest {
    /** Guard against a hang only; never a performance expectation. */
    private static final long HANG_GUARD_S = 20;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final Endpoints endpoints = new Endpoints(ExchangeConfig.defaults(), new Waits(timer, worker));

    @AfterEach
    void stop() {
        endpoints.close();
        timer.shutdownNow();
        worker.shutdownNow();
    }

    private static ErrorCode failure(CompletableFuture<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(HANG_GUARD_S, TimeUnit.SECONDS));
        return assertInstanceOf(StoreException.class, Completions.unwrap(e)).code();
    }

    /** Makes the handler present: a poll that ends empty. */
    private void present(String name) throws Exception {
        assertEquals(List.of(), endpoints.pollAsync(name, "h", 1, 1).get(HANG_GUARD_S, TimeUnit.SECONDS));
    }

    @Test
    void aCallTimesOutOnTheTimerAndALateReplyIsExpired() throws Exception {
        present("quote");
        CompletableFuture<String> call = endpoints.callAsync("quote", "1", 50);
        List<EndpointCall> taken = endpoints.pollAsync("quote", "h", 1, 10_000).get(HANG_GUARD_S, TimeUnit.SECONDS);
        assertEquals(1, taken.size());
        assertEquals(ErrorCode.TIMEOUT, failure(call));
        assertEquals(ReplyOutcome.EXPIRED, endpoints.reply("quote", taken.get(0).callId(), "2", null));
        assertEquals(0, endpoints.unanswered("quote"));
    }

    @Test
    void aCallWhoseCallerWentAwayIsExpiredAndNeverHandedOut() throws Exception {
        present("quote");
        CompletableFuture<String> call = endpoints.callAsync("quote", "1", 10_000);
        call.cancel(false);
        assertEquals(0, endpoints.unanswered("quote"));
        assertEquals(List.of(), endpoints.pollAsync("quote", "h", 1, 1).get(HANG_GUARD_S, TimeUnit.SECONDS));
    }

    @Test
    void aWaitingPollGetsTheCallAndOnlyTheFirstReplyCounts() throws Exception {
        present("quote");
        CompletableFuture<List<EndpointCall>> poll = endpoints.pollAsync("quote", "h", 5, 10_000);
        CompletableFuture<String> call = endpoints.callAsync("quote", "\"hi\"", 10_000);
        EndpointCall c = poll.get(HANG_GUARD_S, TimeUnit.SECONDS).get(0);
        assertEquals("\"hi\"", c.payload());
        assertEquals(ReplyOutcome.ACCEPTED, endpoints.reply("quote", c.callId(), "\"ho\"", null));
        assertEquals(ReplyOutcome.ALREADY_ANSWERED, endpoints.reply("quote", c.callId(), "\"again\"", null));
        assertEquals("\"ho\"", call.get(HANG_GUARD_S, TimeUnit.SECONDS));
    }

    @Test
    void manyPollsWaitAtOnceAndEachCallGoesToExactlyOne() throws Exception {
        present("quote");
        List<CompletableFuture<List<EndpointCall>>> polls = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            polls.add(endpoints.pollAsync("quote", "h" + i, 1, 60_000));
        }
        List<CompletableFuture<String>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(endpoints.callAsync("quote", String.valueOf(i), 60_000));
        }
        List<EndpointCall> got = new ArrayList<>();
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_S);
        while (got.size() < 100 && System.nanoTime() < giveUp) {
            got.clear();
            for (CompletableFuture<List<EndpointCall>> p : polls) {
                if (p.isDone()) {
                    got.addAll(p.join());
                }
            }
            Thread.sleep(5);
        }
        assertEquals(100, got.size(), "each call reached one poll");
        assertEquals(100, got.stream().map(EndpointCall::callId).distinct().count());
        for (EndpointCall c : got) {
            assertEquals(ReplyOutcome.ACCEPTED, endpoints.reply("quote", c.callId(), c.payload(), null));
        }
        for (int i = 0; i < 100; i++) {
            assertEquals(String.valueOf(i), calls.get(i).get(HANG_GUARD_S, TimeUnit.SECONDS));
        }
        polls.forEach(p -> p.cancel(false)); // the rest stop waiting
        assertTrue(polls.stream().allMatch(CompletableFuture::isDone));
    }

    @Test
    void closingFailsWaitingCallsAndEndsWaitingPollsEmpty() throws Exception {
        present("quote");
        CompletableFuture<String> call = endpoints.callAsync("quote", "1", 60_000);
        endpoints.pollAsync("quote", "h", 1, 60_000).get(HANG_GUARD_S, TimeUnit.SECONDS); // takes the call
        CompletableFuture<List<EndpointCall>> poll = endpoints.pollAsync("quote", "h", 1, 60_000);
        endpoints.close();
        assertEquals(ErrorCode.UNAVAILABLE, failure(call));
        assertEquals(List.of(), poll.get(HANG_GUARD_S, TimeUnit.SECONDS));
    }
}
