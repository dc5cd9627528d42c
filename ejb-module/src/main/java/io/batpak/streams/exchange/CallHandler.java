package io.batpak.streams.exchange;

/**
 * Serves an endpoint inside the JVM (a CDI bean's {@code @EndpointHandler} method in the ee layer):
 * takes a call's payload and returns the reply's. A thrown exception fails the call with
 * {@code handler-failed}, its message passed on to the caller. Must be thread-safe: calls run
 * concurrently on the executor {@link Endpoints#serve} was given.
 */
@FunctionalInterface
public interface CallHandler {
    String handle(String payload) throws Exception;
}
