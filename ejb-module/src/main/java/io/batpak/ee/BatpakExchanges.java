package io.batpak.ee;

import static io.batpak.ee.Jsons.JSON;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import io.batpak.streams.exchange.CallHandler;
import io.batpak.streams.exchange.Endpoints;
import io.batpak.streams.exchange.Exchanges;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The application's {@link Exchanges} and {@link Endpoints} (ephemeral: they need no store and
 * keep nothing across a restart), and the {@link EndpointHandler} beans serving endpoints. The
 * handlers are registered when the application starts; each call runs as a task of the
 * container's default managed executor, so a handler runs with the application's context and no
 * unmanaged thread is started. Closing (application stop) ends every subscription and fails every
 * waiting call with 503, waking them all. Thread-safe.
 */
@ApplicationScoped
public class BatpakExchanges {
    private static final Logger LOG = System.getLogger(BatpakExchanges.class.getName());

    @Inject
    ExchangeSettings settings;
    @Inject
    EndpointHandlerBeans handlerBeans;
    @Inject
    BeanManager beans;
    @Inject
    LongPollWaits waits;

    /** Built in {@link #init()}, then never replaced. */
    private Exchanges exchanges;
    private Endpoints endpoints;
    private final AtomicBoolean handlersRegistered = new AtomicBoolean();

    @PostConstruct
    void init() {
        exchanges = new Exchanges(settings.config());
        endpoints = new Endpoints(settings.config(), waits.get());
    }

    public Exchanges exchanges() {
        return exchanges;
    }

    public Endpoints endpoints() {
        return endpoints;
    }

    /** Registers the {@link EndpointHandler} methods once (an EAR fires this once per module). */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        if (!handlersRegistered.compareAndSet(false, true) || handlerBeans.handlers().isEmpty()) {
            return;
        }
        ManagedExecutorService executor;
        try {
            executor = InitialContext.doLookup(BatpakStore.EXECUTOR_JNDI);
        } catch (NamingException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "no managed executor at " + BatpakStore.EXECUTOR_JNDI
                    + " for @EndpointHandler beans", e);
        }
        Set<String> names = new HashSet<>();
        for (EndpointHandlerBeans.Found f : handlerBeans.handlers()) {
            if (!names.add(f.endpoint())) {
                throw new IllegalStateException("two @EndpointHandler methods serve endpoint '" + f.endpoint() + "'");
            }
            Object bean = beans.getReference(f.bean(), f.bean().getBeanClass(), beans.createCreationalContext(f.bean()));
            endpoints.serve(f.endpoint(), handler(bean, f.method()), executor);
            LOG.log(Level.INFO, "endpoint {0} served by {1}.{2}", f.endpoint(), f.method().getDeclaringClass()
                    .getName(), f.method().getName());
        }
    }

    /** Adapts a handler method to the JSON text the endpoints pass around. */
    static CallHandler handler(Object bean, Method m) {
        if (m.getParameterCount() != 1) {
            throw new IllegalStateException("@EndpointHandler " + m + " must take exactly one parameter (the payload)");
        }
        Class<?> in = m.getParameterTypes()[0];
        Class<?> out = m.getReturnType();
        if (in != String.class && !JsonValue.class.isAssignableFrom(in)) {
            throw new IllegalStateException("@EndpointHandler " + m + " must take a String or a JsonValue");
        }
        if (out != String.class && out != void.class && !JsonValue.class.isAssignableFrom(out)) {
            throw new IllegalStateException("@EndpointHandler " + m + " must return a String, a JsonValue or void");
        }
        return payload -> {
            Object arg = payload;
            if (in != String.class) {
                JsonValue v = parse(payload == null ? "null" : payload);
                if (!in.isInstance(v)) {
                    throw new IllegalArgumentException("the payload is a JSON " + v.getValueType().name().toLowerCase()
                            + ", the handler takes a " + in.getSimpleName());
                }
                arg = v;
            }
            Object result;
            try {
                result = m.invoke(bean, arg);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                throw cause instanceof Exception ex ? ex : new IllegalStateException(String.valueOf(cause), cause);
            }
            if (result == null) {
                return "null";
            }
            if (result instanceof JsonValue v) {
                return v.toString();
            }
            return parse((String) result).toString(); // refuse text that is not JSON before it reaches a caller
        };
    }

    private static JsonValue parse(String json) {
        try (JsonReader r = JSON.createReader(new StringReader(json))) {
            return r.readValue();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void close() {
        exchanges.close();
        endpoints.close();
    }
}
