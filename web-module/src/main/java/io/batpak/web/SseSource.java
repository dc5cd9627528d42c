package io.batpak.web;

import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.List;

/**
 * What one SSE stream sends, seen by the {@link SseDispatcher}: the messages ready now, a way to be
 * told when more may be, and the last message for each way the stream can end. Implemented over the
 * store's {@link io.batpak.engine.Subscription} ({@link SubscribeResource}) and an exchange
 * subscription ({@link ExchangesResource}).
 *
 * <p>Threading: the dispatcher calls {@link #take}, {@link #onReady} and {@link #isFinished} from
 * one worker at a time (with a happens-before between them); {@link #close()} from that worker or,
 * at shutdown, from the thread that undeploys.
 */
interface SseSource extends AutoCloseable {
    /** At most {@code max} messages that are ready now, oldest first; empty if none. Never waits. */
    List<OutboundSseEvent> take(Sse sse, int max);

    /**
     * Arms {@code listener} to run once when {@link #take} may have more or the source finishes.
     * The listener runs on a publishing thread and only schedules work.
     */
    void onReady(Runnable listener);

    /** True once nothing more will come ({@link #take} then stays empty). */
    boolean isFinished();

    /** The message to send when it finished, before the stream closes; null for none. */
    OutboundSseEvent finishedMessage(Sse sse);

    /** The message that ends a stream whose caller's token expired. */
    OutboundSseEvent expiredMessage(Sse sse);

    /** The message that ends a stream because the application stops; null for none. */
    OutboundSseEvent shutdownMessage(Sse sse);

    /** Releases the subscription. Idempotent. */
    @Override
    void close();
}
