/**
 * Retention as store bookkeeping ({@link io.batpak.engine.retention.RetentionBook}): scope rules
 * (max age, max count per entity) and per-entity truncate-before, stored as events of kinds
 * 0xE050..0xE052 on the reserved entity {@code retention:<scope>} of each scope, rebuilt at open
 * and applied to the index's {@link io.batpak.engine.index.Retention} as soon as they are durable.
 *
 * <p>Guarantees: a rule or truncate the store answered for is in force for every read from then
 * on and after every reopen. Not API: public only for the facade.
 *
 * <p>May use: {@code io.batpak.engine}, {@code io.batpak.engine.index}.
 */
package io.batpak.engine.retention;
