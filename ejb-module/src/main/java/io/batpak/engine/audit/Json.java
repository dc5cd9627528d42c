package io.batpak.engine.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The small JSON subset exports use, both ways: objects (keys kept in order), arrays, strings,
 * integers that fit a {@code long}, and {@code null}. The writer side emits the one canonical
 * form ({@link #string}); the parser accepts any valid JSON of the subset, so a caller that needs
 * canonical input re-encodes what it parsed and compares bytes. Stateless; thread-safe.
 */
final class Json {
    private Json() {
    }

    /** A malformed line, with the character index where parsing stopped. */
    static final class ParseException extends Exception {
        ParseException(String message, int at) {
            super(message + " at character " + (at + 1));
        }
    }

    /**
     * Appends {@code s} as a JSON string: {@code "} and {@code \} escaped with a backslash,
     * {@code \n \r \t} as such, other characters below U+0020 as {@code \}{@code u00xx}, everything
     * else as itself (UTF-8 on output).
     */
    static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** Parses one JSON value that spans the whole of {@code text}. */
    static Object parse(String text) throws ParseException {
        Json.Parser p = new Json.Parser(text);
        Object v = p.value(0);
        if (p.pos != text.length()) {
            throw new ParseException("trailing characters", p.pos);
        }
        return v;
    }

    /** Recursive descent over one string; not thread-safe (one per parse). */
    private static final class Parser {
        private static final int MAX_DEPTH = 8;
        private final String s;
        /** Index of the next unread character; owned by this parser. */
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        Object value(int depth) throws ParseException {
            if (depth > MAX_DEPTH) {
                throw new ParseException("nested too deeply", pos);
            }
            skipSpace();
            if (pos >= s.length()) {
                throw new ParseException("unexpected end", pos);
            }
            char c = s.charAt(pos);
            if (c == '{') {
                return object(depth);
            }
            if (c == '[') {
                return array(depth);
            }
            if (c == '"') {
                return str();
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                return number();
            }
            if (s.startsWith("null", pos)) {
                pos += 4;
                return null;
            }
            throw new ParseException("unexpected character '" + c + "'", pos);
        }

        private Map<String, Object> object(int depth) throws ParseException {
            Map<String, Object> out = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return out;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw new ParseException("expected a key", pos);
                }
                String key = str();
                skipSpace();
                expect(':');
                if (out.containsKey(key)) {
                    throw new ParseException("duplicate key \"" + key + "\"", pos);
                }
                out.put(key, value(depth + 1));
                skipSpace();
                char c = next();
                if (c == '}') {
                    return out;
                }
                if (c != ',') {
                    throw new ParseException("expected ',' or '}'", pos - 1);
                }
            }
        }

        private List<Object> array(int depth) throws ParseException {
            List<Object> out = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return out;
            }
            while (true) {
                out.add(value(depth + 1));
                skipSpace();
                char c = next();
                if (c == ']') {
                    return out;
                }
                if (c != ',') {
                    throw new ParseException("expected ',' or ']'", pos - 1);
                }
            }
        }

        private String str() throws ParseException {
            pos++;
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return b.toString();
                }
                if (c < 0x20) {
                    throw new ParseException("control character in a string", pos - 1);
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw new ParseException("short \\u escape", pos);
                        }
                        try {
                            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        } catch (NumberFormatException ex) {
                            throw new ParseException("bad \\u escape", pos);
                        }
                        pos += 4;
                    }
                    default -> throw new ParseException("bad escape '\\" + e + "'", pos - 1);
                }
            }
        }

        private Long number() throws ParseException {
            int start = pos;
            if (peek() == '-') {
                pos++;
            }
            while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                pos++;
            }
            if (pos < s.length() && (s.charAt(pos) == '.' || s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                throw new ParseException("only integers are expected", pos);
            }
            try {
                return Long.parseLong(s.substring(start, pos));
            } catch (NumberFormatException ex) {
                throw new ParseException("not an integer that fits 64 bits", start);
            }
        }

        private void skipSpace() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t' || s.charAt(pos) == '\n'
                    || s.charAt(pos) == '\r')) {
                pos++;
            }
        }

        private char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        private char next() throws ParseException {
            if (pos >= s.length()) {
                throw new ParseException("unexpected end", pos);
            }
            return s.charAt(pos++);
        }

        private void expect(char c) throws ParseException {
            if (next() != c) {
                throw new ParseException("expected '" + c + "'", pos - 1);
            }
        }
    }
}
