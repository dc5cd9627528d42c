package io.batpak.web;

import io.batpak.engine.Caller;
import jakarta.ws.rs.core.SecurityContext;

/**
 * Who may use exchanges and endpoints, by the same rules as streams ({@link StreamAccess}): the
 * exchange or endpoint name is the scope the caller's grants must reach. Roles: {@code writer}
 * publishes to an exchange, calls an endpoint and replies to a call (a reply is what a caller
 * receives, so it is a write, as an ack is for a group); {@code reader} subscribes to an exchange and
 * polls an endpoint for calls (it reads what callers sent, as a group poll does). Outside the
 * grants a write is 403 {@code forbidden} and a read 404 {@code not-found}, as if the name did not
 * exist. Stateless.
 */
final class ExchangeAccess {
    private ExchangeAccess() {
    }

    /** The caller, once it holds {@code writer} and its grants reach {@code name} (else 403). */
    static Caller write(SecurityContext security, String name) {
        Caller c = StreamAccess.caller(security, StreamAccess.WRITER);
        StreamAccess.write(c, name);
        return c;
    }

    /** The caller, once it holds {@code reader} and its grants reach {@code name} (else 404). */
    static Caller read(SecurityContext security, String what, String name) {
        Caller c = StreamAccess.caller(security, StreamAccess.READER);
        if (!c.reaches(name)) {
            throw new ProblemException(Problem.of(404, "not-found", "Not found", what + " " + name + " does not exist"));
        }
        return c;
    }
}
