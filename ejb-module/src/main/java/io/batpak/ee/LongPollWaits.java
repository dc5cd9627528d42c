package io.batpak.ee;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.streams.wait.Waits;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The application's one {@link Waits} for long polls (consumer groups, pipeline stages, endpoint
 * polls and calls): deadlines on the container's default managed scheduled executor, later attempts
 * on its default managed executor, so a waiting poll holds no thread and no unmanaged thread is
 * started. Looked up on first use; the container owns (and stops) both executors. Thread-safe.
 */
@ApplicationScoped
public class LongPollWaits {
    static final String TIMER_JNDI = "java:comp/DefaultManagedScheduledExecutorService";

    /** Built once under {@code this}, then read without it. */
    private volatile Waits waits;

    public Waits get() {
        Waits w = waits;
        if (w != null) {
            return w;
        }
        synchronized (this) {
            if (waits == null) {
                // JNDI rather than @Resource for the reason BatpakStore gives (a bean in a library jar).
                try {
                    ManagedScheduledExecutorService timer = InitialContext.doLookup(TIMER_JNDI);
                    ManagedExecutorService worker = InitialContext.doLookup(BatpakStore.EXECUTOR_JNDI);
                    waits = new Waits(timer, worker);
                } catch (NamingException e) {
                    throw new StoreException(ErrorCode.UNAVAILABLE, "no managed executors for long polls at "
                            + TIMER_JNDI + " and " + BatpakStore.EXECUTOR_JNDI, e);
                }
            }
            return waits;
        }
    }
}
