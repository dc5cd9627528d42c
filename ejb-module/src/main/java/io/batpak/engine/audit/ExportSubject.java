package io.batpak.engine.audit;

import io.batpak.engine.Coordinate;

/**
 * What an export was asked for: one entity ({@code entity} and its {@code scope}; the scope is
 * null only for a bare name that no granted scope holds), one scope ({@code entity} null), or
 * every event in the caller's grants (both null). Signed in the trailer, so an export of one
 * entity cannot pass for a scope's. Immutable.
 */
public record ExportSubject(String entity, String scope) {

    public static ExportSubject entity(Coordinate c) {
        return new ExportSubject(c.entity(), c.scope());
    }

    public static ExportSubject scope(String scope) {
        return new ExportSubject(null, scope);
    }

    @Override
    public String toString() {
        return entity == null ? (scope == null ? "every granted scope" : "scope " + scope)
                : "entity " + entity + (scope == null ? "" : "@" + scope);
    }

    /** Appends this subject as the trailer's {@code subject} object: only the parts that are set. */
    void appendJson(StringBuilder b) {
        b.append('{');
        if (scope != null) {
            Json.string(b.append("\"scope\":"), scope);
        }
        if (entity != null) {
            Json.string(b.append(scope != null ? "," : "").append("\"entity\":"), entity);
        }
        b.append('}');
    }
}
