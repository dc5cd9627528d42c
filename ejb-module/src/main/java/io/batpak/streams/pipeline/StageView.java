package io.batpak.streams.pipeline;

/**
 * One stage of an instance as seen now: its state, its output (null until done), how often it was
 * delivered (counted from this process's start plus the failures stored before it) and the reason
 * of its last nack (null if none). Immutable (the output array is shared: do not modify).
 */
public record StageView(StageState state, byte[] output, int deliveries, String lastReason) {
}
