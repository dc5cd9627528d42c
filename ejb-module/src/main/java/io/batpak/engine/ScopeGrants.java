package io.batpak.engine;

import java.util.Collection;
import java.util.List;

/**
 * What a caller may reach: a set of glob patterns over scope and stream names, such as
 * {@code orders-*} or {@code room:?}. {@code *} matches any run of characters (also none),
 * {@code ?} exactly one; every other character matches itself. An empty set reaches nothing;
 * {@link #ALL} (the single pattern {@code *}) reaches every name, including the empty scope.
 * Immutable and thread-safe; compile once per caller and reuse it for every event.
 */
public final class ScopeGrants {
    /** Reaches every name. */
    public static final ScopeGrants ALL = new ScopeGrants(List.of("*"));
    /** Reaches nothing. */
    public static final ScopeGrants NONE = new ScopeGrants(List.of());

    private final List<String> globs;
    private final List<Glob> patterns;
    private final boolean all;

    private ScopeGrants(Collection<String> globs) {
        this.globs = List.copyOf(globs);
        this.patterns = this.globs.stream().map(Glob::compile).toList();
        this.all = this.globs.contains("*");
    }

    /** Grants from glob patterns; null or blank patterns are ignored. */
    public static ScopeGrants of(Collection<String> globs) {
        if (globs == null) {
            return NONE;
        }
        List<String> kept = globs.stream().filter(g -> g != null && !g.isBlank()).distinct().sorted().toList();
        if (kept.contains("*")) {
            return ALL;
        }
        return kept.isEmpty() ? NONE : new ScopeGrants(kept);
    }

    /** Whether {@code name} (a scope or stream name; null counts as the empty scope) is granted. */
    public boolean reaches(String name) {
        if (all) {
            return true;
        }
        String n = name == null ? "" : name;
        for (Glob p : patterns) {
            if (p.matches(n)) {
                return true;
            }
        }
        return false;
    }

    /** Whether every name is granted, so filtering can be skipped. */
    public boolean reachesAll() {
        return all;
    }

    /** The glob patterns, sorted. */
    public List<String> globs() {
        return globs;
    }

    /**
     * A glob cut at its stars: the name must start with the first piece, end with the last, and hold
     * the middle ones in order in between. Matched greedily (each middle piece at its leftmost place,
     * which never loses a match), so a match costs O(name length × piece length) with no backtracking
     * over the name: an attacker's long scope name cannot make it slow, unlike a backtracking regex.
     */
    private record Glob(String[] pieces, boolean starred) {
        static Glob compile(String glob) {
            return new Glob(glob.split("\\*", -1), glob.indexOf('*') >= 0);
        }

        boolean matches(String name) {
            String first = pieces[0];
            if (!starred) {
                return name.length() == first.length() && matchesAt(name, 0, first);
            }
            String last = pieces[pieces.length - 1];
            if (name.length() < first.length() + last.length() || !matchesAt(name, 0, first)
                    || !matchesAt(name, name.length() - last.length(), last)) {
                return false;
            }
            int from = first.length();
            int end = name.length() - last.length();
            for (int p = 1; p < pieces.length - 1; p++) {
                int at = find(name, from, end, pieces[p]);
                if (at < 0) {
                    return false;
                }
                from = at + pieces[p].length();
            }
            return true;
        }

        /** The first index in {@code [from, end - piece.length()]} where {@code piece} matches, or -1. */
        private static int find(String name, int from, int end, String piece) {
            for (int i = from; i + piece.length() <= end; i++) {
                if (matchesAt(name, i, piece)) {
                    return i;
                }
            }
            return -1;
        }

        private static boolean matchesAt(String name, int at, String piece) {
            for (int k = 0; k < piece.length(); k++) {
                char c = piece.charAt(k);
                if (c != '?' && c != name.charAt(at + k)) {
                    return false;
                }
            }
            return true;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScopeGrants g && g.globs.equals(globs);
    }

    @Override
    public int hashCode() {
        return globs.hashCode();
    }

    @Override
    public String toString() {
        return "ScopeGrants" + globs;
    }
}
