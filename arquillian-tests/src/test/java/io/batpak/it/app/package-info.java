/**
 * Gates, beans and probe resources added to the deployments under test to exercise the extension
 * points an application uses.
 *
 * <p>May use: the engine's API packages, {@code io.batpak.ee} and Jakarta EE.
 */
package io.batpak.it.app;
