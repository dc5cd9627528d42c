package io.batpak.web;

import io.batpak.ee.BatpakSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Counts open SSE subscriptions, per principal and store-wide: a waiting one holds no thread
 * ({@link SseDispatcher}), but each holds a connection, a subscription and up to one batch of messages.
 * One past {@code batpak.limits.sse-per-principal} is 429 {@code too-many-subscriptions}: the limit
 * is the client's own, and it can retry once one of its streams closes. One past
 * {@code batpak.limits.sse-total} is 503 {@code unavailable}: that limit is the server's state (all
 * clients together), not something the caller did, so it is answered like the other store-wide
 * limits (open transactions), and well-behaved clients and proxies back off on 503 with
 * Retry-After. Both carry Retry-After. Thread-safe.
 */
@ApplicationScoped
public class SubscriptionLimits {
    @Inject
    BatpakSettings settings;
    @Inject
    @ConfigProperty(name = "batpak.limits.sse-total", defaultValue = "256")
    int maxTotal;

    private final ConcurrentHashMap<String, Integer> open = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();

    /** A held slot; {@link #close()} gives it back once (later calls do nothing). */
    public final class Slot implements AutoCloseable {
        private final String principal;
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot(String principal) {
            this.principal = principal;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                open.computeIfPresent(principal, (k, n) -> n <= 1 ? null : n - 1);
                total.decrementAndGet();
            }
        }
    }

    /** Takes a slot for {@code principal}, or refuses with 429 (its own limit) or 503 (the store's). */
    public Slot acquire(String principal) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            throw new ProblemException(Problem.of(503, "unavailable", "Unavailable",
                    "the server holds its maximum of " + maxTotal + " open subscriptions (batpak.limits.sse-total)")
                    .retryAfter(5));
        }
        int max = settings.ssePerPrincipal();
        boolean[] granted = {false};
        open.compute(principal, (k, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            granted[0] = true;
            return now + 1;
        });
        if (!granted[0]) {
            total.decrementAndGet();
            throw new ProblemException(Problem.of(429, "too-many-subscriptions", "Too many subscriptions",
                    "at most " + max + " subscriptions may be open per principal (batpak.limits.sse-per-principal)")
                    .retryAfter(5));
        }
        return new Slot(principal);
    }
}
