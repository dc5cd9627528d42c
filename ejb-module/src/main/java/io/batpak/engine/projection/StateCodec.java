package io.batpak.engine.projection;

/**
 * Turns a projection state into bytes and back, for snapshots on disk. {@code decode(encode(s))}
 * must equal {@code s}. A decode that throws marks the snapshot damaged: it is discarded and the
 * state rebuilt from the log. Implementations must be thread-safe.
 *
 * @param <S> the state type
 */
public interface StateCodec<S> {
    byte[] encode(S state);

    S decode(byte[] bytes);
}
