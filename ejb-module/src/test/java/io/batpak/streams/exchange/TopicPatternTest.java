package io.batpak.streams.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The topic pattern rules of {@link TopicPattern}'s javadoc, by example and against a regex model. */
class TopicPatternTest {

    private static boolean m(String pattern, String topic) {
        return TopicPattern.parse(pattern).matches(TopicPattern.checkTopic(topic));
    }

    @Test
    void starMatchesExactlyOneSegment() {
        assertTrue(m("orders.*", "orders.eu"));
        assertFalse(m("orders.*", "orders"), "* needs a segment");
        assertFalse(m("orders.*", "orders.eu.paris"), "* matches one segment only");
        assertTrue(m("*.eu", "orders.eu"));
        assertTrue(m("*.*", "a.b"));
        assertFalse(m("*.*", "a"));
        assertFalse(m("orders.*", "ordersx.eu"), "literal segments compare whole");
    }

    @Test
    void hashAtTheEndMatchesZeroOrMoreSegments() {
        assertTrue(m("orders.#", "orders"));
        assertTrue(m("orders.#", "orders.eu"));
        assertTrue(m("orders.#", "orders.eu.paris"));
        assertFalse(m("orders.#", "order"));
        assertTrue(m("#", "anything.at.all"));
        assertTrue(m("*.#", "a"));
        assertTrue(m("*.#", "a.b") && m("*.#", "a.b.c"), "*.# covers one or more segments");
    }

    @Test
    void literalsMatchOnlyThemselves() {
        assertTrue(m("orders.eu", "orders.eu"));
        assertFalse(m("orders.eu", "orders.EU"), "case-sensitive");
        assertFalse(m("orders.eu", "orders.eu.x"));
        assertFalse(m("orders.eu", "orders"));
    }

    @Test
    void ambiguousPatternsAndBadTopicsAreRefused() {
        for (String bad : List.of("", "orders..eu", ".orders", "orders.", "ord*", "orders.#.eu", "#.x", "a.b#")) {
            StoreException e = assertThrows(StoreException.class, () -> TopicPattern.parse(bad), "pattern " + bad);
            assertEquals(ErrorCode.INVALID_REQUEST, e.code());
        }
        for (String bad : List.of("", "orders.*", "orders.#", "a..b", "a\u0001b", "x".repeat(256))) {
            assertThrows(StoreException.class, () -> TopicPattern.checkTopic(bad), "topic " + bad);
        }
    }

    /** The pattern as a regex over whole segments: the specification the matcher must agree with. */
    private static boolean model(String pattern, String topic) {
        StringBuilder re = new StringBuilder();
        String[] parts = pattern.split("\\.", -1);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("#")) {
                re.append(i == 0 ? "([^.]+(\\.[^.]+)*)?" : "(\\.[^.]+)*");
                continue;
            }
            if (i > 0) {
                re.append("\\.");
            }
            re.append(p.equals("*") ? "[^.]+" : Pattern.quote(p));
        }
        return Pattern.matches(re.toString(), topic);
    }

    @Provide
    Arbitrary<String> topics() {
        return Arbitraries.of("a", "b", "ab", "c").list().ofMinSize(1).ofMaxSize(5).map(l -> String.join(".", l));
    }

    @Provide
    Arbitrary<String> patterns() {
        Arbitrary<String> body = Arbitraries.of("a", "b", "ab", "*").list().ofMinSize(0).ofMaxSize(5)
                .map(l -> String.join(".", l));
        return net.jqwik.api.Combinators.combine(body, Arbitraries.of(true, false)).as((b, hash) ->
                b.isEmpty() ? (hash ? "#" : "a") : hash ? b + ".#" : b);
    }

    @Property(tries = 2000)
    void matchesAgreeWithTheRegexModel(@ForAll("patterns") String pattern, @ForAll("topics") String topic) {
        assertEquals(model(pattern, topic), m(pattern, topic), "pattern " + pattern + " topic " + topic);
    }
}
