package io.batpak.ee;

import io.batpak.engine.AppendCondition;
import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.gate.ClientAppends;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.EventStore;
import io.batpak.engine.StoreException;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedExecutors;
import jakarta.enterprise.concurrent.ManagedTask;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import java.lang.System.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import io.batpak.engine.Caller;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.BiConsumer;
import java.util.concurrent.TimeUnit;

/**
 * The application's one event store, opened when the application starts and closed (queued appends
 * drained, fsynced, checkpointed) when it stops. Its writer and fsync loops run as long-running
 * tasks on the container's {@link ManagedExecutorService}, so no unmanaged thread is started.
 *
 * <p>Every append made through this bean passes the application's gates first ({@link GateChain});
 * a denial throws {@link DeniedException} and stores nothing. Reads go straight to the engine
 * ({@link #engine()}). Thread-safe.
 */
@ApplicationScoped
public class BatpakStore {
    private static final Logger LOG = System.getLogger(BatpakStore.class.getName());

    /** The platform's default managed executor (Jakarta Concurrency), looked up when the store opens. */
    static final String EXECUTOR_JNDI = "java:comp/DefaultManagedExecutorService";

    /** Set once by {@link #open} (under this bean's monitor), read by any thread after. */
    private ManagedExecutorService executor;
    /** Answers suspended requests; set with {@link #executor}, closed after the store. */
    private volatile AnswerExecutor answers;
    @Inject
    BatpakSettings settings;
    @Inject
    GateChain gates;
    @Inject
    DeploymentBeans deploymentBeans;
    @Inject
    BeanManager beanManager;

    private static final long WRITER_START_TIMEOUT_SECONDS = 60;

    private volatile EventStore store;

    /**
     * Opens the store; called once by {@link StoreStartup} on the deployment thread when the
     * application starts. Not in {@code @PostConstruct}: an early health probe or request would
     * otherwise open it from a request thread of another application context, whose managed tasks
     * Payara may never run. Until then every call answers {@code UNAVAILABLE}.
     */
    synchronized void open() {
        if (store != null) {
            return;
        }
        // A JNDI lookup rather than @Resource: the bean lives in a library jar of the WAR, and Payara
        // resolves a field @Resource there through java:comp/env entries it never binds.
        try {
            executor = InitialContext.doLookup(EXECUTOR_JNDI);
        } catch (NamingException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "no managed executor at " + EXECUTOR_JNDI, e);
        }
        answers = AnswerExecutor.open(settings.answerThreads());
        CountDownLatch running = new CountDownLatch(2); // the writer and its fsync stage
        EventStore opened = EventStore.open(settings.storeConfig(task -> runLongTask(() -> {
            running.countDown();
            task.run();
        })));
        awaitWriter(running, opened);
        installUpcasters(opened);
        store = opened;
        LOG.log(Level.INFO, "batpak store open in {0}: {1} events", settings.dataDirectory(), store.globalSequence());
    }

    /**
     * Installs the deployment's {@link io.batpak.engine.upcast.Upcaster} beans before the store
     * serves its first read; a broken chain fails the start ({@code invalid-upcasters}) and closes
     * the store, rather than serve events some of which could not be read.
     */
    private void installUpcasters(EventStore opened) {
        try {
            io.batpak.engine.upcast.Upcasters set = opened.installUpcasters(deploymentBeans.references(io.batpak.engine.upcast.Upcaster.class, beanManager));
            if (!set.isEmpty()) {
                LOG.log(Level.INFO, "upcasters installed, current payload version per kind: {0}", set.currentVersions());
            }
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** Fails the start loudly if the container never runs the writer, instead of hanging every append. */
    private static void awaitWriter(CountDownLatch running, EventStore opened) {
        try {
            if (running.await(WRITER_START_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new StoreException(ErrorCode.UNAVAILABLE, "the managed executor did not start the writer within "
                + WRITER_START_TIMEOUT_SECONDS + " s; the store is unusable (data directory " + opened.config().dataDir()
                + ")");
    }

    /** True once the store is open and serving. */
    public boolean isOpen() {
        return store != null;
    }

    @PreDestroy
    synchronized void close() {
        EventStore s = store;
        if (s != null) {
            s.close();
            LOG.log(Level.INFO, "batpak store closed: {0}", settings.dataDirectory());
        }
        AnswerExecutor a = answers;
        if (a != null) {
            a.close(); // after the store: its last completions are answered first
        }
    }

    /** The engine, for reads and for callers that manage gates themselves. */
    public EventStore engine() {
        EventStore s = store;
        if (s == null) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "the store is not open (starting or stopped)");
        }
        return s;
    }

    /**
     * Appends one client event after the gates pass; durable under the configured sync mode on
     * return. Kinds and entity names reserved to the store are refused first ({@link ClientAppends}).
     */
    public AppendReceipt append(AppendRequest request, Caller caller) {
        ClientAppends.check(request);
        return gates.append(engine(), List.of(request), caller).get(0);
    }

    /** Appends an atomic batch of client events after the gates pass for every event of it. */
    public List<AppendReceipt> appendBatch(List<AppendRequest> requests, Caller caller) {
        ClientAppends.check(requests);
        return gates.append(engine(), requests, caller);
    }

    /**
     * Appends client events (one: a single append; several: an atomic batch) after the gates pass,
     * and only if {@code condition} holds when the writer reaches them (else
     * {@link io.batpak.engine.ConditionFailedException}, nothing stored).
     */
    public List<AppendReceipt> appendIf(List<AppendRequest> requests, AppendCondition condition, Caller caller) {
        ClientAppends.check(requests);
        return gates.append(engine(), requests, caller, condition);
    }

    /** As {@link #appendBatch}, completing once the events are durable; a denial fails the future. */
    public CompletableFuture<List<AppendReceipt>> appendAsync(List<AppendRequest> requests, Caller caller) {
        return appendAsync(requests, null, caller);
    }

    /**
     * As {@link #appendIf} ({@code condition} null: none), completing once the events are durable;
     * a denial or a failed condition fails the future. Reserved kinds and names are refused at once.
     */
    public CompletableFuture<List<AppendReceipt>> appendAsync(List<AppendRequest> requests, AppendCondition condition,
                                                              Caller caller) {
        ClientAppends.check(requests);
        return gates.appendAsync(engine(), requests, caller, condition);
    }

    /**
     * Runs {@code then} on a managed answer thread ({@link AnswerExecutor}) once {@code f} completes,
     * so work that follows an append (answering a suspended request) never runs on the writer thread.
     * {@code then} must not wait for anything (see {@link #whenDone(CompletableFuture, BiConsumer, boolean)}).
     */
    public <T> void whenDone(CompletableFuture<T> f, BiConsumer<T, Throwable> then) {
        whenDone(f, then, false);
    }

    /**
     * As {@link #whenDone(CompletableFuture, BiConsumer)}; with {@code mayWait} true {@code then} may
     * block (an answer that waits for a watermark the group commit did not reach yet), so it runs on
     * the container's managed executor instead, and the few answer threads never stall behind it.
     */
    public <T> void whenDone(CompletableFuture<T> f, BiConsumer<T, Throwable> then, boolean mayWait) {
        AnswerExecutor a = answers;
        if (a == null) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "the store is not open (starting or stopped)");
        }
        f.whenCompleteAsync(then, mayWait ? executor : a);
    }

    /**
     * As {@link #appendAsync} for the store's own layers (streams, groups, Kafka ingest), whose
     * bookkeeping uses the reserved kinds and names; still through the gates. Client events in such
     * a batch must have passed {@link ClientAppends} first (the ingest checks every record).
     */
    public CompletableFuture<List<AppendReceipt>> appendBookkeeping(List<AppendRequest> requests, Caller caller) {
        return gates.appendAsync(engine(), requests, caller, null);
    }

    /** Runs {@code task} as a long-running task of the container's managed executor. */
    public void runTask(Runnable task) {
        runLongTask(task);
    }

    void runLongTask(Runnable task) {
        executor.execute(ManagedExecutors.managedTask(task, Map.of(ManagedTask.LONGRUNNING_HINT, "true"), null));
    }

    public BatpakSettings settings() {
        return settings;
    }
}
