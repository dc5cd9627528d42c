/**
 * The derivation deployed with DerivationsIT's WAR: a CDI bean implementing
 * {@link io.batpak.streams.flow.Derivation} ({@link io.batpak.it.app.flow.CountsDerivation}).
 */
package io.batpak.it.app.flow;
