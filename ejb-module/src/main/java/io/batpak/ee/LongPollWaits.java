package io.batpak.ee;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.streams.wait.Waits;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The application's one {@link Waits} for long polls (consumer groups, pipeline stages, endpoint
 * polls and calls): one timer thread for their deadlines and {@value #WORKERS} threads for their
 * later attempts, all from the container's default managed thread factory, so a waiting poll holds
 * no thread and no unmanaged thread is started. Not the managed executors: Payara's capture context
 * for every task by scanning the application's jars (see {@link AnswerExecutor}), and a poll
 * schedules a deadline and is handed over on every publish it waits for. Built on first use,
 * stopped when the application stops. Thread-safe.
 */
@ApplicationScoped
public class LongPollWaits {
    static final int WORKERS = 2;

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
                    ManagedThreadFactory threads = InitialContext.doLookup(AnswerExecutor.THREAD_FACTORY_JNDI);
                    waits = Waits.onThreads(threads, WORKERS);
                } catch (NamingException e) {
                    throw new StoreException(ErrorCode.UNAVAILABLE, "no managed thread factory for long polls at "
                            + AnswerExecutor.THREAD_FACTORY_JNDI, e);
                }
            }
            return waits;
        }
    }

    @PreDestroy
    synchronized void close() {
        if (waits != null) {
            waits.close();
        }
    }
}
