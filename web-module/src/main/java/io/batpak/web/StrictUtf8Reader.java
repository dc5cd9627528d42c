package io.batpak.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A body decoded as strict UTF-8 while it is read: a malformed sequence fails the read (the parser
 * reading through it sees an I/O error) and is remembered, so the answer can be the "not valid
 * UTF-8" one a body decoded whole gets, never a silently replaced U+FFFD (HostileInputIT, issue 21).
 * Closing it leaves the request stream open. Owned by the request thread; not thread-safe.
 */
final class StrictUtf8Reader extends Reader {
    private final Reader in;
    /** True once a malformed sequence was met; request thread only. */
    private boolean invalid;

    StrictUtf8Reader(InputStream bytes) {
        this.in = new InputStreamReader(bytes, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
    }

    /**
     * Fills {@code buf} as far as the body goes, as a {@code StringReader} over the whole body would:
     * the JSON parser's error locations depend on how its reads were filled, so they stay the ones a
     * body read whole got, whatever chunks the network delivered.
     */
    @Override
    public int read(char[] buf, int off, int len) throws IOException {
        int n = 0;
        try {
            while (n < len) {
                int r = in.read(buf, off + n, len - n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
        } catch (CharacterCodingException e) {
            invalid = true;
            throw e;
        }
        return n == 0 && len > 0 ? -1 : n;
    }

    /** True if the body read so far (all of it after {@link #drain()}) is not valid UTF-8. */
    boolean invalid() {
        return invalid;
    }

    /** Decodes what is left (the parser stopped early), to know whether all of the body is UTF-8. */
    void drain() {
        if (invalid) {
            return;
        }
        char[] buf = new char[8192];
        try {
            while (read(buf, 0, buf.length) >= 0) {
                // only the decoding matters
            }
        } catch (IOException e) {
            // remembered if it was a coding error; otherwise the body's end is for LimitedBody to judge
        }
    }

    @Override
    public void close() {
        // the request's stream is the container's to close
    }
}
