/**
 * Beans added to the ExchangesIT deployment: an {@code @EndpointHandler} serving an RPC endpoint.
 *
 * <p>May use: {@code io.batpak.ee} and Jakarta EE.
 */
package io.batpak.it.app.exchange;
