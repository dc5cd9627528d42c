package io.batpak.web;

/**
 * Why a bearer token is refused (answered 401 {@code unauthenticated}); the message is safe to show
 * to the client: it names the failed rule, never a key, a path or the token itself.
 */
final class TokenRejected extends Exception {
    TokenRejected(String message) {
        super(message, null, false, false);
    }
}
