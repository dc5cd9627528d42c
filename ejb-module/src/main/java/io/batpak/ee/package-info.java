/**
 * The engine and streams inside Jakarta EE: the application's store bean and its lifecycle
 * ({@code BatpakStore}, {@code StoreStartup}, {@code StoreLifecycle}), gates as CDI beans
 * ({@code GateChain}), CDI events and MicroProfile Reactive Messaging channels for committed
 * events, ephemeral exchanges and RPC endpoints ({@code BatpakExchanges}, served by
 * {@code @EndpointHandler} beans), pipeline stage beans, derivations (Flow: {@code BatpakDerivations}
 * starts every {@code Derivation} bean, {@code DerivationStatus} reports them), health, metrics and
 * configuration.
 *
 * <p>Guarantees: no unmanaged threads (the writer runs on the container's managed executor);
 * every append made through these beans passes the application's gates; the store is closed
 * (drained, fsynced, checkpointed) when the application stops.
 *
 * <p>May use: {@code io.batpak.engine} API packages, {@code io.batpak.streams} (and
 * {@code .exchange}, {@code .pipeline}, {@code .flow}), Jakarta EE 10 and MicroProfile 6. Not the engine's internals ({@code log}, {@code index}, {@code subscription})
 * and not {@code io.batpak.web}.
 */
package io.batpak.ee;
