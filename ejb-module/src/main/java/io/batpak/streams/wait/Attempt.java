package io.batpak.streams.wait;

/**
 * One try of a long poll: look at the state under its owner's lock, take what is ready, and say so.
 * Runs on the polling caller's thread for the first try and on the {@link Waits} worker for the
 * others, never on a signalling thread, and never concurrently with another try of the same poll.
 * It may do I/O (reading the events it claimed). A thrown exception fails the poll with it.
 */
@FunctionalInterface
public interface Attempt<R> {
    /**
     * @param nowMs the poll's clock now
     * @param last  the wait is over: return {@link Try#done} with what there is (the empty result)
     */
    Try<R> attempt(long nowMs, boolean last);
}
