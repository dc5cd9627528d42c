package io.batpak.web;

import io.batpak.engine.Region;

/**
 * Query-parameter parsing with the contract's errors: a malformed or out-of-range value is a 400
 * {@code invalid-request} naming the parameter (never the 404 that JAX-RS gives for a failed
 * {@code @QueryParam} conversion). Stateless.
 */
final class Params {
    static final int MAX_PAGE = 10_000;

    private Params() {
    }

    static long longParam(String name, String value, long dflt, long min, long max) {
        if (value == null || value.isEmpty()) {
            return dflt;
        }
        long v;
        try {
            v = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ProblemException(Problem.invalid("query parameter '" + name + "' must be an integer"));
        }
        if (v < min || v > max) {
            throw new ProblemException(Problem.invalid("query parameter '" + name + "' must be within " + min + ".."
                    + max + ", was " + v));
        }
        return v;
    }

    /** The filter part of a region: entity prefix, scope, kind, category (each optional). */
    static Region region(String entityPrefix, String scope, String kind, String category) {
        Region r = Region.all();
        if (entityPrefix != null && !entityPrefix.isEmpty()) {
            r = r.withEntityPrefix(entityPrefix);
        }
        if (scope != null && !scope.isEmpty()) {
            r = r.withScope(scope);
        }
        if (kind != null && !kind.isEmpty()) {
            r = r.withKind((int) longParam("kind", kind, 0, 0, 0xFFFF));
        }
        if (category != null && !category.isEmpty()) {
            r = r.withCategory((int) longParam("category", category, 0, 0, 0xF));
        }
        return r;
    }
}
