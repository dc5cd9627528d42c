package io.batpak.streams.exchange;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Named exchanges: ephemeral topic fan-out. {@link #subscribe} opens a subscription that receives
 * every message published to the exchange from then on whose topic matches its {@link TopicPattern};
 * {@link #publish} hands a message to every such live subscriber and answers how many took it.
 * Nothing is stored: an exchange exists while it has subscribers, and a message published to one
 * without any reaches nobody ({@code delivered} 0).
 *
 * <p>Ordering: messages of one publisher reach each subscriber in the order they were published;
 * concurrent publishers' messages interleave in some order, which may differ between subscribers.
 * A publisher never blocks on a subscriber: a subscriber whose bounded queue
 * ({@link ExchangeConfig#subscriberQueue()}) is full is dropped ({@link EndReason#SLOW_SUBSCRIBER})
 * and counted out of {@code delivered}.
 *
 * <p>Thread-safety: every method may be called from any thread. The subscriber lists are
 * copy-on-write (a publish iterates a snapshot without locking), and are replaced atomically per
 * exchange name in a {@link ConcurrentHashMap}; each subscription guards its own queue.
 */
public final class Exchanges implements AutoCloseable {
    /** Longest exchange or endpoint name, in characters. */
    public static final int MAX_NAME_CHARS = 200;

    private final ExchangeConfig config;
    /** Live subscribers per exchange; an exchange whose last subscriber left is removed. */
    private final ConcurrentHashMap<String, CopyOnWriteArrayList<ExchangeSubscription>> exchanges =
            new ConcurrentHashMap<>();
    /** Set once by {@link #close()}; after it nothing subscribes. */
    private volatile boolean closed;

    public Exchanges(ExchangeConfig config) {
        this.config = config;
    }

    public ExchangeConfig config() {
        return config;
    }

    /** Subscribes to {@code exchange} for topics matching {@code pattern}, from now on. */
    public ExchangeSubscription subscribe(String exchange, String pattern) {
        checkName("exchange", exchange);
        TopicPattern p = TopicPattern.parse(pattern);
        ExchangeSubscription[] made = new ExchangeSubscription[1];
        made[0] = new ExchangeSubscription(exchange, p, config.subscriberQueue(), () -> remove(exchange, made[0]));
        exchanges.compute(exchange, (k, list) -> {
            CopyOnWriteArrayList<ExchangeSubscription> l = list == null ? new CopyOnWriteArrayList<>() : list;
            l.add(made[0]);
            return l;
        });
        if (closed) { // close() may have swept before the add: never leave a subscriber it did not end
            made[0].end(EndReason.SHUTDOWN);
            throw new StoreException(ErrorCode.UNAVAILABLE, "the exchanges are shut down");
        }
        return made[0];
    }

    /**
     * Publishes to {@code exchange}: every live subscriber whose pattern matches {@code topic} gets
     * the message, except one whose queue is full, which is dropped instead.
     *
     * @return how many subscribers it was queued for
     */
    public int publish(String exchange, String topic, String payload) {
        checkName("exchange", exchange);
        TopicPattern.checkTopic(topic);
        if (closed) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "the exchanges are shut down");
        }
        List<ExchangeSubscription> subs = exchanges.get(exchange);
        if (subs == null) {
            return 0;
        }
        ExchangeMessage m = new ExchangeMessage(topic, payload, System.nanoTime());
        int delivered = 0;
        for (ExchangeSubscription s : subs) {
            if (s.pattern().matches(topic) && s.offer(m)) {
                delivered++;
            }
        }
        return delivered;
    }

    /** Live subscribers of {@code exchange} (0 for one nobody subscribes to). */
    public int subscribers(String exchange) {
        List<ExchangeSubscription> subs = exchanges.get(exchange);
        return subs == null ? 0 : subs.size();
    }

    private void remove(String exchange, ExchangeSubscription s) {
        exchanges.computeIfPresent(exchange, (k, list) -> {
            list.remove(s);
            return list.isEmpty() ? null : list;
        });
    }

    /** Ends every subscription ({@link EndReason#SHUTDOWN}), waking their readers; later subscribes fail. */
    @Override
    public void close() {
        closed = true;
        List<ExchangeSubscription> all = new ArrayList<>();
        exchanges.values().forEach(all::addAll);
        all.forEach(s -> s.end(EndReason.SHUTDOWN));
    }

    static String checkName(String what, String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_CHARS) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, what + " name must have 1.." + MAX_NAME_CHARS
                    + " characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '/') {
                throw new StoreException(ErrorCode.INVALID_REQUEST, what + " name may not hold '/' or control"
                        + " characters");
            }
        }
        return name;
    }
}
