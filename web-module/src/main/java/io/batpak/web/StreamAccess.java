package io.batpak.web;

import io.batpak.engine.Caller;

/**
 * Scope grants applied to stream names: a write outside the caller's grants is 403
 * {@code forbidden}; a read outside them is 404 {@code not-found}, as if the stream were absent.
 * Stateless.
 */
final class StreamAccess {
    private StreamAccess() {
    }

    static void write(Caller caller, String name) {
        if (!unrestricted(caller) && !caller.reaches(name)) {
            throw new ProblemException(Problem.of(403, "forbidden", "Forbidden",
                    "your grants do not reach '" + name + "'"));
        }
    }

    static void read(Caller caller, String name) {
        if (!unrestricted(caller) && !caller.reaches(name)) {
            throw new ProblemException(Problem.of(404, "not-found", "Not found", "stream " + name + " does not exist"));
        }
    }

    /** A caller without any role predates authentication (issue 5): every name is open to it. */
    private static boolean unrestricted(Caller caller) {
        return caller.roles().isEmpty();
    }
}
