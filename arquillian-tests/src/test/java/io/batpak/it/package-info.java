/**
 * Integration tests against real servers (Payara Micro, the EAR on Payara Server) through
 * Arquillian and plain HTTP: every test deploys the real WAR or EAR and talks to it over the wire.
 *
 * <p>May use: every batpak package and the test libraries.
 */
package io.batpak.it;
