package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScopeGrantsTest {
    @Test
    void starMatchesAnyRunAndQuestionMarkExactlyOne() {
        ScopeGrants g = ScopeGrants.of(List.of("orders-*", "room:?"));
        assertTrue(g.reaches("orders-"), "orders-* must match an empty tail");
        assertTrue(g.reaches("orders-eu/2"), "orders-* must match any tail");
        assertTrue(g.reaches("room:a"));
        assertFalse(g.reaches("room:ab"), "? matches exactly one character");
        assertFalse(g.reaches("xorders-1"), "globs are anchored at the start");
        assertFalse(g.reaches(null), "the empty scope is only reached by a pattern that matches empty");
    }

    @Test
    void regexCharactersAreLiterals() {
        ScopeGrants g = ScopeGrants.of(List.of("a.b(c)+"));
        assertTrue(g.reaches("a.b(c)+"));
        assertFalse(g.reaches("axb(c)+"), "a dot in a glob is a literal dot, not any character");
    }

    @Test
    void noGrantsReachNothingAndStarReachesEverything() {
        assertFalse(ScopeGrants.of(List.of()).reaches("anything"));
        assertFalse(ScopeGrants.of(null).reaches(""));
        assertTrue(ScopeGrants.of(List.of("x", "*")).reachesAll());
        assertTrue(ScopeGrants.ALL.reaches(null));
        Caller c = new Caller("alice", Set.of("reader"), Set.of("orders-*"));
        assertTrue(c.reaches("orders-7"));
        assertFalse(c.reaches("payments"), "a caller reaches only its granted names");
    }
}
