/**
 * Beans added to the deployments under test that use streams through MicroProfile Reactive
 * Messaging.
 *
 * <p>May use: the engine's API packages, {@code io.batpak.streams}, {@code io.batpak.ee} and
 * Jakarta EE.
 */
package io.batpak.it.app.streams;
