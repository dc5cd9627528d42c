package io.batpak.streams.exchange;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.engine.util.Completions;
import io.batpak.streams.wait.Waits;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Named RPC endpoints: a caller's {@link #call} waits for one handler's reply. Handlers are either
 * HTTP clients that {@link #poll} for calls and {@link #reply} to them, or an in-JVM
 * {@link CallHandler} given to {@link #serve} (a CDI bean in the ee layer), whose calls run on the
 * executor given with it. Nothing is stored: calls pending at a restart are lost (their callers
 * were answered 503 by {@link #close()}).
 *
 * <p>Rules: a call needs a present handler, else {@code no-handler} at once: an in-JVM handler is
 * always present; an HTTP handler is present while it polls and for
 * {@link ExchangeConfig#handlerPresenceMs()} after its last poll ended. A call waits at most its
 * timeout ({@link ExchangeConfig#defaultTimeoutMs()} when it names none, capped to
 * {@link ExchangeConfig#maxTimeoutMs()}), then fails with {@code timeout}; a handler's later reply
 * is reported {@link ReplyOutcome#EXPIRED}. An endpoint holds at most
 * {@link ExchangeConfig#maxPendingCalls()} unanswered calls ({@code endpoint-busy} past it). Each
 * call goes to exactly one handler; a handler that takes a call and never answers makes it time out.
 *
 * <p>Thread-safety: every method may be called from any thread; endpoints are created on first
 * use (a poll or {@code serve}) in a {@link ConcurrentHashMap} and each guards its own state.
 */
public final class Endpoints implements AutoCloseable {
    private final ExchangeConfig config;
    private final ConcurrentHashMap<String, Endpoint> endpoints = new ConcurrentHashMap<>();
    /** Where polls and call timeouts wait; {@code ownWaits}: created here, closed by {@link #close()}. */
    private final Waits waits;
    private final boolean ownWaits;
    private volatile boolean closed;

    /** Endpoints whose waits run on a thread of their own (closed with them). */
    public Endpoints(ExchangeConfig config) {
        this(config, Waits.ownThread("batpak-endpoints-waits"), true);
    }

    /** Endpoints whose polls and call timeouts wait on {@code waits}: the caller's, left running by {@link #close()}. */
    public Endpoints(ExchangeConfig config, Waits waits) {
        this(config, waits, false);
    }

    private Endpoints(ExchangeConfig config, Waits waits, boolean ownWaits) {
        this.config = config;
        this.waits = waits;
        this.ownWaits = ownWaits;
    }

    public ExchangeConfig config() {
        return config;
    }

    private Endpoint endpoint(String name) {
        Exchanges.checkName("endpoint", name);
        if (closed) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "the endpoints are shut down");
        }
        Endpoint e = endpoints.computeIfAbsent(name, n -> new Endpoint(n, config, waits));
        if (closed) {
            e.close();
        }
        return e;
    }

    /**
     * Calls {@code name} with {@code payload} and waits for the reply's payload (null if the handler
     * replied without one). Blocks its caller: the in-process form of {@link #callAsync}.
     *
     * @param timeoutMs 0 for the default; capped to the configured maximum
     * @throws StoreException {@code no-handler}, {@code timeout}, {@code handler-failed},
     *                        {@code endpoint-busy}, or {@code unavailable} when shut down
     */
    public String call(String name, String payload, long timeoutMs) {
        CompletableFuture<String> f = callAsync(name, payload, timeoutMs);
        try {
            return Completions.await(f);
        } catch (StoreException e) {
            if (e.code() == ErrorCode.INTERRUPTED) {
                f.cancel(false); // the call expires: a later reply is refused
            }
            throw e;
        }
    }

    /**
     * Like {@link #call}, holding no thread while it waits: the future completes with the reply's
     * payload or fails with the same {@link StoreException}s ({@code timeout} when the timeout passes
     * first; its deadline is an entry on the shared timer). Refusals that need no wait
     * ({@code no-handler}, {@code endpoint-busy}, {@code unavailable}, bad arguments) are thrown here.
     * Cancelling the future expires the call: a handler's later reply is refused as {@code expired}.
     */
    public CompletableFuture<String> callAsync(String name, String payload, long timeoutMs) {
        Exchanges.checkName("endpoint", name);
        if (timeoutMs < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "timeoutMs must be at least 0");
        }
        if (closed) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "the endpoints are shut down");
        }
        Endpoint e = endpoints.get(name); // a call alone never creates an endpoint: no handler, nothing to keep
        if (e == null) {
            throw new StoreException(ErrorCode.NO_HANDLER, "endpoint '" + name + "' has no handler");
        }
        return e.callAsync(payload, effectiveTimeoutMs(timeoutMs));
    }

    /** The timeout a call asking for {@code timeoutMs} gets: the default for 0, else capped to the maximum. */
    public long effectiveTimeoutMs(long timeoutMs) {
        return timeoutMs == 0 ? config.defaultTimeoutMs() : Math.min(timeoutMs, config.maxTimeoutMs());
    }

    /**
     * Takes up to {@code max} calls of {@code name} for {@code handler}, waiting at most
     * {@code waitMs} (capped to {@link ExchangeConfig#maxPollWaitMs()}) for the first. Empty when
     * none came. The handler must {@link #reply} to each before the caller's timeout. Blocks its
     * caller: the in-process form of {@link #pollAsync}.
     */
    public List<EndpointCall> poll(String name, String handler, int max, long waitMs) {
        CompletableFuture<List<EndpointCall>> f = pollAsync(name, handler, max, waitMs);
        try {
            return Completions.await(f);
        } catch (StoreException e) {
            if (e.code() != ErrorCode.INTERRUPTED) {
                throw e;
            }
            f.cancel(false); // calls taken meanwhile go back to the queue
            return List.of();
        }
    }

    /**
     * Like {@link #poll}, holding no thread while it waits: completes with the calls taken, or empty
     * when the wait ends (or the endpoints close). Cancelling it stops the wait; calls taken just as
     * it was cancelled go back to the front of the queue. Bad arguments are thrown here.
     */
    public CompletableFuture<List<EndpointCall>> pollAsync(String name, String handler, int max, long waitMs) {
        Exchanges.checkName("handler", handler);
        if (max < 1 || waitMs < 0) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "max must be at least 1 and waitMs at least 0");
        }
        return endpoint(name).pollAsync(handler, max, Math.min(waitMs, config.maxPollWaitMs()));
    }

    /** Answers {@code callId} (fails it with {@code error} when not null); never throws for a stale id. */
    public ReplyOutcome reply(String name, String callId, String payload, String error) {
        Exchanges.checkName("endpoint", name);
        if (callId == null || callId.isEmpty()) {
            throw new StoreException(ErrorCode.INVALID_REQUEST, "a reply needs a callId");
        }
        Endpoint e = endpoints.get(name);
        return e == null ? ReplyOutcome.UNKNOWN : e.reply(callId, payload, error);
    }

    /**
     * Serves {@code name} with an in-JVM {@code handler} whose calls run on {@code executor}; HTTP
     * handlers can then not poll it. Closing the returned handle stops serving.
     */
    public AutoCloseable serve(String name, CallHandler handler, Executor executor) {
        Endpoint e = endpoint(name);
        e.serve(handler, executor);
        return e::unserve;
    }

    /** Whether {@code name} has a handler present now (as a call would find it). */
    public boolean present(String name) {
        Endpoint e = endpoints.get(name);
        return e != null && e.present();
    }

    /** Unanswered calls of {@code name} (pending plus taken). */
    public int unanswered(String name) {
        Endpoint e = endpoints.get(name);
        return e == null ? 0 : e.unanswered();
    }

    /** Fails every waiting call with {@code unavailable} and wakes every poll; later calls fail too. */
    @Override
    public void close() {
        closed = true;
        endpoints.values().forEach(Endpoint::close);
        if (ownWaits) {
            waits.close();
        }
    }
}
