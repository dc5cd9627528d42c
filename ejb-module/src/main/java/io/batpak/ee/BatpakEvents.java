package io.batpak.ee;

import io.batpak.engine.AppendReceipt;
import io.batpak.engine.AppendRequest;
import io.batpak.engine.Caller;
import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The store's EJB facade: inject it with {@code @EJB BatpakEvents events} (or {@code @Inject}) into
 * enterprise beans. Every append passes the application's gates, as through {@link BatpakStore}.
 *
 * <p>What an append inside a JTA transaction means. The store is not a transactional (XA)
 * resource, so there are two choices, both explicit:
 * <ul>
 *   <li>{@link #append} and {@link #appendBatch} ({@code SUPPORTS}): the events are durable when the
 *   call returns, whatever becomes of a caller's transaction; a rollback does not undo them.</li>
 *   <li>{@link #appendAfterCommit} ({@code MANDATORY}): the events are held until the caller's
 *   transaction completes, through the {@link TransactionSynchronizationRegistry}; appended only if
 *   it commits, discarded if it rolls back. Gates run then too. The append is not atomic with the
 *   commit: a crash between the two loses these events (at most once). Where that matters, give
 *   the events idempotency keys and re-append from the committed business data on recovery.</li>
 * </ul>
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.SUPPORTS)
public class BatpakEvents {
    /** The standard JNDI name (Jakarta Transactions 3.3.2); no {@code @Resource} env entry needed. */
    static final String REGISTRY_JNDI = "java:comp/TransactionSynchronizationRegistry";

    @Inject
    BatpakStore store;

    /** Appends one event now; durable under the configured sync mode on return. */
    public AppendReceipt append(AppendRequest request, Caller caller) {
        return store.append(request, caller);
    }

    /** Appends an atomic batch now: all of it or none. */
    public List<AppendReceipt> appendBatch(List<AppendRequest> requests, Caller caller) {
        return store.appendBatch(requests, caller);
    }

    /**
     * Appends {@code requests} (one atomic batch) once the caller's JTA transaction has committed.
     * The future completes with the receipts once they are durable; it fails with
     * {@link TransactionNotCommittedException} if the transaction rolls back (nothing is stored),
     * with {@link DeniedException} if a gate refuses, or with the store's own exception. Without a
     * transaction the container throws {@code EJBTransactionRequiredException}.
     */
    @TransactionAttribute(TransactionAttributeType.MANDATORY)
    public CompletableFuture<List<AppendReceipt>> appendAfterCommit(List<AppendRequest> requests, Caller caller) {
        List<AppendRequest> held = List.copyOf(requests);
        CompletableFuture<List<AppendReceipt>> result = new CompletableFuture<>();
        registry().registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // nothing to prepare: the store takes part only after the outcome is known
            }

            @Override
            public void afterCompletion(int status) {
                if (status != Status.STATUS_COMMITTED) {
                    result.completeExceptionally(new TransactionNotCommittedException(status));
                    return;
                }
                store.appendAsync(held, caller).whenComplete((receipts, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                    } else {
                        result.complete(receipts);
                    }
                });
            }
        });
        return result;
    }

    private static TransactionSynchronizationRegistry registry() {
        try {
            return InitialContext.doLookup(REGISTRY_JNDI);
        } catch (NamingException e) {
            throw new StoreException(ErrorCode.UNAVAILABLE, "no TransactionSynchronizationRegistry at " + REGISTRY_JNDI, e);
        }
    }
}
