/**
 * Long polls that hold no thread while they wait ({@link io.batpak.streams.wait.Waits}): a poll
 * is an attempt tried at once, then again whenever its {@link io.batpak.streams.wait.WaitSignal}
 * is signalled (a publish, a nack, a new call) or its next deadline passes, until it finds
 * something or its wait ends. Deadlines are entries on one shared timer, never a thread per poll.
 *
 * <p>Guarantees: plain Java 17, no {@code jakarta.*}; signalling never runs an attempt on the
 * signalling thread (the writer's), it only hands the waiting polls to the worker; one poll's
 * attempts never run concurrently, and its result is handed out at most once (a result its
 * caller cancelled first goes to the poll's {@code unclaimed} callback).
 *
 * <p>May use: {@code java.util.concurrent} and the engine's {@code ErrorCode}/{@code StoreException}
 * (a shut-down timer is UNAVAILABLE); used by {@code io.batpak.streams} and its {@code pipeline} and
 * {@code exchange} packages.
 */
package io.batpak.streams.wait;
