package io.batpak.engine;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

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
    private final List<Pattern> patterns;
    private final boolean all;

    private ScopeGrants(Collection<String> globs) {
        this.globs = List.copyOf(globs);
        this.patterns = this.globs.stream().map(ScopeGrants::compile).toList();
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
        for (Pattern p : patterns) {
            if (p.matcher(n).matches()) {
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

    private static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*' || c == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
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
