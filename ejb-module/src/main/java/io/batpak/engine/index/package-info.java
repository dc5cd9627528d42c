/**
 * The in-memory index of the log: every event's position, each entity's events and sequence
 * ({@code EntityState}), scopes ({@code ScopeState}), idempotency keys
 * ({@code IdempotencyRecord}), the event-id table ({@code IdTable}), region queries
 * ({@code RegionQuery}) and the grant-aware walks behind the facade's reads ({@code GrantedReads},
 * {@code Lookups}), held in primitive arrays ({@code IntList}) to keep the heap per event
 * small.
 *
 * <p>Guarantees: mutated by the log's writer (live appends, recovery, checkpoint load) and read
 * concurrently by readers, who see only published events: an event becomes visible to readers
 * after it is durable as the sync mode requires, never a half-applied group. Not API: public
 * only for the facade and the log.
 *
 * <p>May use: {@code io.batpak.engine} (value types, exceptions) and {@code io.batpak.engine.util}.
 * Not {@code log}, {@code subscription}, {@code projection} or {@code gate}.
 */
package io.batpak.engine.index;
