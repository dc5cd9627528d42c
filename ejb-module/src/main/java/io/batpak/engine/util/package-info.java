/**
 * Small helpers shared by the engine and the layers above it: the one-shot BLAKE3 hash
 * ({@code Blake3Hasher}, checked against the official vectors), hex encoding ({@code Hex}), the
 * checksummed, atomically replaced snapshot files ({@code CheckedFiles}), UUIDv7
 * ids ({@code UuidV7}), the hybrid logical clock ({@code HybridClock}), a latency histogram
 * ({@code LatencyHistogram}), a growable byte buffer ({@code GrowableBuffer}) and the one
 * completion helper of the project ({@code Completions}: wait for a future and unwrap its failure
 * into the original exception).
 *
 * <p>Guarantees: each class is self-contained, documented where it is thread-safe, and has no
 * state shared between instances.
 *
 * <p>May use: the JDK and {@code io.batpak.engine} (value types and exceptions) only.
 */
package io.batpak.engine.util;
