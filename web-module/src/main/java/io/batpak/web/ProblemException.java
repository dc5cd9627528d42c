package io.batpak.web;

/**
 * Thrown by the web layer for a request it refuses before reaching the store (a bad parameter, a
 * body over the limit, an unsupported media type); answered as the problem it carries.
 */
public final class ProblemException extends RuntimeException {
    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(null, null, false, false);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
