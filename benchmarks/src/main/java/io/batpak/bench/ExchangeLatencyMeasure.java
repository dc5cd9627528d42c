package io.batpak.bench;

import io.batpak.streams.exchange.ExchangeConfig;
import io.batpak.streams.exchange.ExchangeMessage;
import io.batpak.streams.exchange.ExchangeSubscription;
import io.batpak.streams.exchange.Exchanges;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * (n) Exchange publish-to-receive latency inside one JVM, against an {@link ArrayBlockingQueue}
 * hand-off measured the same way in the same run. One message is in flight at a time: the
 * publisher stamps {@link System#nanoTime()} just before the call, publishes (two subscribers with different
 * patterns, one matching), and waits until the subscriber thread, blocked in its poll, has taken
 * it and recorded now − stamp. So the figure is the wake-up and hand-off cost, not queueing. The
 * baseline does the same with {@code offer}/{@code take} on a bounded queue. Both are warmed for
 * {@code warmSeconds} (default 30), then measured alternately for two rounds of {@code samples}
 * messages each. Prints p50/p99 in microseconds and their ratios.
 *
 * <p>Arguments: samples per round (200000), warm-up seconds (30).
 */
public final class ExchangeLatencyMeasure {
    private ExchangeLatencyMeasure() {
    }

    /** One way of handing a stamped message to a waiting thread. */
    private interface Channel extends AutoCloseable {
        void send(long stamp);

        /** Blocks for the next message; its stamp, or -1 when closed. */
        long receive() throws InterruptedException;

        @Override
        void close();
    }

    private static final class ExchangeChannel implements Channel {
        final Exchanges x = new Exchanges(ExchangeConfig.defaults());
        final ExchangeSubscription sub = x.subscribe("bench", "orders.*");
        final ExchangeSubscription other = x.subscribe("bench", "payments.#"); // matched, never gets these

        @Override
        public void send(long stamp) {
            x.publish("bench", "orders.eu", "1");
        }

        @Override
        public long receive() {
            while (true) {
                List<ExchangeMessage> got = sub.poll(1, Duration.ofSeconds(1));
                if (!got.isEmpty()) {
                    return got.get(0).publishedNanos();
                }
                if (sub.endReason() != null) {
                    return -1;
                }
            }
        }

        @Override
        public void close() {
            x.close();
        }
    }

    private static final class QueueChannel implements Channel {
        final ArrayBlockingQueue<long[]> q = new ArrayBlockingQueue<>(1024);

        @Override
        public void send(long stamp) {
            q.offer(new long[] {stamp});
        }

        @Override
        public long receive() throws InterruptedException {
            return q.take()[0];
        }

        @Override
        public void close() {
            q.offer(new long[] {-1});
        }
    }

    /** Sends {@code n} messages one at a time; returns the n latencies in nanoseconds, sorted. */
    private static long[] measure(Channel c, int n) throws Exception {
        long[] lat = new long[n];
        AtomicLong received = new AtomicLong();
        AtomicLong sentAt = new AtomicLong(); // one message in flight: the stamp of the one being received
        Thread reader = new Thread(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    long stamp = c.receive();
                    if (stamp < 0) {
                        return;
                    }
                    lat[i] = System.nanoTime() - sentAt.get();
                    received.incrementAndGet();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "bench-receiver");
        reader.start();
        for (int i = 0; i < n; i++) {
            long now = System.nanoTime();
            sentAt.set(now);
            c.send(now);
            while (received.get() <= i) {
                Thread.onSpinWait();
            }
        }
        reader.join();
        Arrays.sort(lat);
        return lat;
    }

    private static long pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static void warm(java.util.function.Supplier<Channel> make, long seconds) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            try (Channel c = make.get()) {
                measure(c, 20_000);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        long warmSeconds = args.length > 1 ? Long.parseLong(args[1]) : 30;
        warm(QueueChannel::new, warmSeconds / 2);
        warm(ExchangeChannel::new, warmSeconds - warmSeconds / 2);
        for (int round = 1; round <= 2; round++) {
            long[] q;
            long[] x;
            try (Channel c = new QueueChannel()) {
                q = measure(c, samples);
            }
            try (Channel c = new ExchangeChannel()) {
                x = measure(c, samples);
            }
            System.out.printf("round %d: ArrayBlockingQueue p50 %.1f us p99 %.1f us | exchange p50 %.1f us p99 %.1f us"
                    + " | ratio p50 %.2f p99 %.2f (%d samples each)%n", round, pct(q, .5) / 1e3, pct(q, .99) / 1e3,
                    pct(x, .5) / 1e3, pct(x, .99) / 1e3, (double) pct(x, .5) / pct(q, .5),
                    (double) pct(x, .99) / pct(q, .99), samples);
        }
    }
}
