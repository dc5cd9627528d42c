/**
 * Signed audit exports: an entity's or a scope's events as NDJSON, one stored event per line with
 * its chain hashes, then a trailer that lists every exported entity's chain head and an Ed25519
 * signature over it ({@code ExportWriter}, {@code AuditExports}, {@code AuditKey}), and a verifier
 * that needs neither a server nor a data directory ({@code ExportVerifier}, run as
 * {@code java -jar batpak-ejb-<version>-verify.jar export.ndjson --key pub.pem} by
 * {@code VerifyMain}). The format is documented in {@code docs/FORMAT.md}, "Audit export".
 *
 * <p>Guarantees: a line's event hash is recomputed by the engine's own {@code EventHasher}, so an
 * export verifies exactly when the store's {@code verify} would accept the same events; every
 * byte of an export is covered: event lines by their hash chain (and a check that each line is
 * the canonical encoding of what it parses to), chain heads and event count by the signature.
 *
 * <p>May use: {@code io.batpak.engine} (value types, the facade), {@code io.batpak.engine.log}
 * (only {@code EventHasher}) and {@code io.batpak.engine.util}; plain Java, no {@code jakarta.*}.
 */
package io.batpak.engine.audit;
