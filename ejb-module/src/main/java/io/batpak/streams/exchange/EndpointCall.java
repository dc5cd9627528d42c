package io.batpak.streams.exchange;

/** A call handed to a polling handler: the id to reply to and the caller's payload. Immutable. */
public record EndpointCall(String callId, String payload) {
}
