package io.batpak.web;

/**
 * The verification keys cannot be loaded (an unreachable JWKS URL, a missing or broken key file):
 * the server's trouble, not the token's, so it is answered 503 {@code unavailable} with Retry-After
 * rather than 401. The message is for the server log only; it may name the key's location.
 */
final class KeysUnavailable extends RuntimeException {
    KeysUnavailable(String message, Throwable cause) {
        super(message, cause);
    }
}
