package io.batpak.streams.exchange;

import io.batpak.engine.ErrorCode;
import io.batpak.engine.StoreException;
import java.util.Arrays;

/**
 * A subscription's topic pattern. Topics and patterns are dot-separated segments
 * ({@code orders.eu.paris}); a segment is 1..{@value #MAX_SEGMENT_CHARS} characters without
 * {@code .}, {@code *}, {@code #} or control characters, and a topic is at most
 * {@value #MAX_CHARS} characters. In a pattern:
 * <ul>
 *   <li>{@code *} as a whole segment matches exactly one segment: {@code orders.*} matches
 *       {@code orders.eu} but neither {@code orders} nor {@code orders.eu.paris};</li>
 *   <li>{@code #} as the last segment matches zero or more segments: {@code orders.#} matches
 *       {@code orders}, {@code orders.eu} and {@code orders.eu.paris}; {@code #} alone matches
 *       every topic;</li>
 *   <li>any other segment matches itself only (case-sensitive).</li>
 * </ul>
 * {@code *} or {@code #} inside a segment ({@code ord*}) and {@code #} before the last segment are
 * refused with {@code invalid-request}, so every pattern means one thing. Immutable.
 */
public final class TopicPattern {
    /** Longest topic or pattern, in characters. */
    public static final int MAX_CHARS = 255;
    /** Longest single segment. */
    public static final int MAX_SEGMENT_CHARS = 100;

    private final String text;
    /** The segments; {@code "*"} and a last {@code "#"} are the wildcards. */
    private final String[] segments;
    private final boolean tailWildcard;

    private TopicPattern(String text, String[] segments, boolean tailWildcard) {
        this.text = text;
        this.segments = segments;
        this.tailWildcard = tailWildcard;
    }

    /** Parses {@code pattern}, or fails with {@code invalid-request} saying what is wrong. */
    public static TopicPattern parse(String pattern) {
        String[] parts = split("topic pattern", pattern);
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.equals("#")) {
                if (i != parts.length - 1) {
                    throw invalid("'#' may only be the last segment of a topic pattern: " + pattern);
                }
            } else if (!p.equals("*")) {
                checkLiteral("topic pattern", pattern, p);
            }
        }
        boolean tail = parts[parts.length - 1].equals("#");
        return new TopicPattern(pattern, tail ? Arrays.copyOf(parts, parts.length - 1) : parts, tail);
    }

    /** Checks {@code topic} (no wildcards allowed) and returns it. */
    public static String checkTopic(String topic) {
        String[] parts = split("topic", topic);
        for (String p : parts) {
            checkLiteral("topic", topic, p);
        }
        return topic;
    }

    /** Whether the (already checked) {@code topic} matches this pattern. Allocation-free. */
    public boolean matches(String topic) {
        int pos = 0;
        int n = topic.length();
        for (String seg : segments) {
            if (pos > n) {
                return false; // the topic ran out of segments
            }
            int end = topic.indexOf('.', pos);
            if (end < 0) {
                end = n;
            }
            boolean any = seg.equals("*");
            if (!any && (end - pos != seg.length() || !topic.regionMatches(pos, seg, 0, seg.length()))) {
                return false;
            }
            pos = end + 1;
        }
        // pos == n + 1: every segment consumed; pos <= n: segments are left over
        return tailWildcard || pos == n + 1;
    }

    /** The pattern as given. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    private static String[] split(String what, String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_CHARS) {
            throw invalid("a " + what + " must have 1.." + MAX_CHARS + " characters");
        }
        return s.split("\\.", -1);
    }

    private static void checkLiteral(String what, String whole, String segment) {
        if (segment.isEmpty() || segment.length() > MAX_SEGMENT_CHARS) {
            throw invalid("each segment of a " + what + " must have 1.." + MAX_SEGMENT_CHARS + " characters: '"
                    + whole + "'");
        }
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '*' || c == '#' || Character.isISOControl(c)) {
                throw invalid("a " + what + " segment may not hold '*', '#' (except as a whole pattern segment)"
                        + " or control characters: '" + whole + "'");
            }
        }
    }

    private static StoreException invalid(String message) {
        return new StoreException(ErrorCode.INVALID_REQUEST, message);
    }
}
