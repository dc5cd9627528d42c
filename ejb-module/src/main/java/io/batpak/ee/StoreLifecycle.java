package io.batpak.ee;

import jakarta.annotation.PostConstruct;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;

/**
 * The EJB that owns the store's start: the container creates it when the application deploys,
 * before any request and before any web module starts, so recovery runs at deployment and a
 * failure to open the store fails the deployment. Closing belongs to {@link BatpakStore} itself
 * (its {@code @PreDestroy} drains, fsyncs and checkpoints when the application stops), which
 * also covers a WAR whose web context starts the store first ({@link StoreStartup}).
 *
 * <p>It also makes the jar a real EJB module: an EAR declares it as one, and Payara Server refuses
 * an EJB module that holds no enterprise bean. {@code NOT_SUPPORTED}: opening the store is no part
 * of a transaction (a rollback cannot undo a recovery or an fsync).
 */
@Singleton
@Startup
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class StoreLifecycle {
    @Inject
    StoreStartup startup;

    @PostConstruct
    void start() {
        startup.start();
    }
}
