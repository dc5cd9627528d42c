package io.batpak.web;

import io.batpak.engine.Caller;
import jakarta.ws.rs.core.SecurityContext;

/**
 * Who may use the streams endpoints. Roles: {@code admin} configures streams and groups,
 * {@code writer} publishes, acks and runs transactions, {@code reader} polls and reads group state;
 * a caller without the role is 403 {@code forbidden}. The resource methods declare the role with
 * {@code @RolesAllowed}, which {@link AuthFilter} enforces before they run; the check here repeats
 * it for callers that reach these methods another way. Scope grants apply to stream names: a write
 * outside the caller's grants is 403 {@code forbidden}; a read outside them is 404
 * {@code not-found}, as if the stream were absent. Stateless.
 */
final class StreamAccess {
    private StreamAccess() {
    }

    static final String READER = "reader";
    static final String WRITER = "writer";
    static final String ADMIN = "admin";

    /** The request's caller, once it is known to hold {@code role}. */
    static Caller caller(SecurityContext security, String role) {
        if (security != null && security.getUserPrincipal() != null && !security.isUserInRole(role)) {
            throw new ProblemException(Problem.of(403, "forbidden", "Forbidden", "this needs the role '" + role + "'"));
        }
        return Callers.of(security);
    }

    static void write(Caller caller, String name) {
        if (!caller.reaches(name)) {
            throw new ProblemException(Problem.of(403, "forbidden", "Forbidden",
                    "your grants do not reach '" + name + "'"));
        }
    }

    static void read(Caller caller, String name) {
        if (!caller.reaches(name)) {
            throw new ProblemException(Problem.of(404, "not-found", "Not found", "stream " + name + " does not exist"));
        }
    }
}
