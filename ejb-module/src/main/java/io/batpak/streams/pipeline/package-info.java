/**
 * Hadron pipelines on the streams layer ({@link io.batpak.streams.pipeline.Pipelines}): a
 * declarative DAG of stages over an input stream; each trigger event starts exactly one instance
 * (keyed by its position {@code "partition:offset"}), a stage is delivered once the stages it
 * depends on have stored their outputs, and a stage's output commits atomically with the stream
 * events it emits.
 *
 * <p>Guarantees: plain Java 17, no {@code jakarta.*}; every fact an instance needs to resume
 * (its start, each stage output, failures and replays, the trigger cursor) is an event of category
 * 0xE in the engine log, so a restart or crash loses no instance, runs no stage twice once its
 * output is stored, and changes no output. Only active instances live in memory.
 *
 * <p>May use: {@code io.batpak.streams} and the engine's API packages ({@code io.batpak.engine},
 * {@code .gate}, {@code .util}). Not the engine's internals, and not {@code io.batpak.ee} or
 * {@code io.batpak.web}.
 */
package io.batpak.streams.pipeline;
