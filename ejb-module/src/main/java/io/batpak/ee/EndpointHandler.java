package io.batpak.ee;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a CDI bean as the handler of the RPC endpoint {@link #value()}: every
 * {@code POST /endpoints/{name}/call} (and every {@code BatpakExchanges.endpoints().call}) runs it
 * on the container's managed executor with the call's payload, and its return value is the reply.
 *
 * <p>The method takes one parameter and returns the reply: the parameter is a
 * {@code jakarta.json.JsonValue} (or {@code JsonObject}, {@code JsonArray}, … when the payload is
 * one; another JSON type fails the call) or a {@code String}, which receives the payload's JSON
 * text as is. The return type is a {@code JsonValue}, a {@code String} holding JSON text, or
 * {@code void}; {@code null} and {@code void} reply with JSON {@code null}. An exception thrown by the
 * method (or returned text that is not JSON) fails the call with 502 {@code handler-failed} and
 * the exception's message. Calls run concurrently: the bean must be thread-safe.
 *
 * <p>An endpoint served by a bean is always present (never {@code no-handler}) and cannot be
 * polled by HTTP handlers; two beans for one endpoint fail the deployment's start.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface EndpointHandler {
    /** The endpoint's name. */
    String value();
}
