package io.batpak.streams.wait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@link Waits#onThreads}: every thread is asked of the factory when the waits are made (on the
 * caller, whose context a managed factory gives them), polls end on a signal and on their deadline
 * on those threads, and {@link Waits#close} stops them all.
 */
class WaitsOnThreadsTest {
    @Test
    void threadsComeFromTheFactoryUpFrontServePollsAndStopOnClose() throws Exception {
        List<Thread> made = new CopyOnWriteArrayList<>();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "waits-test-" + made.size());
            t.setDaemon(true);
            made.add(t);
            return t;
        };
        Waits waits = Waits.onThreads(factory, 2);
        assertEquals(3, made.size(), "one timer and two worker threads asked of the factory at once, not lazily"
                + " by whichever thread signals first (Waits.onThreads)");

        WaitSignal signal = new WaitSignal();
        AtomicBoolean ready = new AtomicBoolean();
        var signalled = waits.poll(signal, System::currentTimeMillis, System.currentTimeMillis() + 10_000,
                (now, last) -> ready.get() || last ? Try.done(ready.get()) : Try.untilSignal(), null);
        var timedOut = waits.poll(new WaitSignal(), System::currentTimeMillis, System.currentTimeMillis() + 50,
                (now, last) -> last ? Try.done("ended") : Try.untilSignal(), null);
        assertFalse(signalled.isDone(), "a poll with nothing ready waits");
        ready.set(true);
        signal.signal();
        assertTrue(signalled.get(5, TimeUnit.SECONDS), "a signalled poll answers what its attempt found");
        assertEquals("ended", timedOut.get(5, TimeUnit.SECONDS), "a poll whose wait ends answers its last attempt");
        assertEquals(3, made.size(), "no thread beyond the first three");

        waits.close();
        for (Thread t : made) {
            t.join(5_000);
            assertFalse(t.isAlive(), t.getName() + " still runs after Waits.close");
        }
    }
}
