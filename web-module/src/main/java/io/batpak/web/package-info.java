/**
 * The HTTP API (the contract is docs/HTTP-API.md): JAX-RS resources for events, entities,
 * batches, streams, transactions, subscriptions and statistics, bearer-token authentication,
 * CloudEvents and MessagePack bodies, and problem+json errors with a stable {@code code}.
 *
 * <p>Guarantees: bad input is answered with problem+json and a stable code, never a 500; every
 * request runs as a {@link io.batpak.engine.Caller} whose grants limit what it reads and writes.
 *
 * <p>May use: {@code io.batpak.ee}, {@code io.batpak.streams}, the engine's API packages
 * ({@code io.batpak.engine}, {@code .projection}, {@code .gate}, {@code .util}), Jakarta EE 10,
 * MicroProfile 6 and jose4j. Not the engine's internals ({@code log}, {@code index},
 * {@code subscription}).
 */
package io.batpak.web;
