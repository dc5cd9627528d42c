/**
 * Live reads of the log's tail: the hub that wakes subscribers when events are published
 * ({@code SubscriptionHub}, {@code HubSubscription}), the cursor over the index
 * ({@code IndexCursor}), the region filter walk ({@code FilteredScan}) and the ring of recently
 * published events that lets subscribers avoid a disk read ({@code RecentEvents}).
 *
 * <p>Guarantees: each subscription reads the published log itself on its consumer's thread, so
 * replay, live delivery and catching up are one path and no matching event is skipped or delivered
 * twice; the writer only fills the shared ring, wakes waiters and runs the armed listeners of
 * subscriptions consumed without a thread (which only schedule work), so a slow subscriber never
 * blocks it. Not API: callers get {@link io.batpak.engine.Subscription} and
 * {@link io.batpak.engine.Cursor} from the facade.
 *
 * <p>May use: {@code io.batpak.engine} (value types), {@code io.batpak.engine.index} and
 * {@code io.batpak.engine.util}. Not {@code log}, {@code projection} or {@code gate}.
 */
package io.batpak.engine.subscription;
