/**
 * JMH benchmarks and load drivers of the engine, streams and the HTTP API; the figures live in
 * docs/BENCHMARKS.md. Not part of any deployment.
 *
 * <p>May use: every batpak package, including the engine's internals where a benchmark measures
 * one part on its own.
 */
package io.batpak.bench;
