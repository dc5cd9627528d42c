package io.batpak.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A request body read through the size limit: it counts the bytes it passes on and, once the body
 * runs past {@code limit}, ends early (reads as end of input) and remembers that it did. A streaming
 * reader can then parse straight from the request while {@link #finish()} still answers a 413 for
 * any body over the limit, whatever the parser made of the truncated rest (the answer a fully read
 * body gets). Owned by the one request thread that reads the body; not thread-safe.
 */
final class LimitedBody extends InputStream {
    private final InputStream in;
    private final long limit;
    /** Bytes passed on so far; request thread only. */
    private long count;
    /** True once the body was found longer than {@code limit}; request thread only. */
    private boolean overflow;

    private LimitedBody(InputStream in, long limit) {
        this.in = in;
        this.limit = limit;
    }

    /**
     * The body of a request, refused at once with 413 if its Content-Length already says it is over
     * {@code limit} (and 400 if that header is not a number).
     */
    static LimitedBody open(InputStream in, String contentLength, long limit) {
        if (contentLength != null) {
            long declared;
            try {
                declared = Long.parseLong(contentLength.trim());
            } catch (NumberFormatException e) {
                throw new ProblemException(Problem.invalid("Content-Length is not a number"));
            }
            if (declared > limit) {
                Bodies.drain(in);
                throw Bodies.tooLarge(limit);
            }
        }
        return new LimitedBody(in, limit);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (overflow) {
            return -1;
        }
        int n = in.read(b, off, len);
        if (n > 0 && count + n > limit) {
            // The bytes past the limit are dropped: whatever reads them is answered 413 by finish().
            overflow = true;
            return -1;
        }
        if (n > 0) {
            count += n;
        }
        return n;
    }

    /** Bytes read so far (within the limit). */
    long count() {
        return count;
    }

    long limit() {
        return limit;
    }

    /**
     * Reads whatever the body still holds, then throws the 413 if it was over the limit (having
     * drained a bounded amount more, so the client sees the answer rather than a reset).
     */
    void finish() {
        byte[] buf = new byte[16 * 1024];
        try {
            while (read(buf, 0, buf.length) >= 0) {
                // dropped: only the length matters now
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (overflow) {
            Bodies.drain(in);
            throw Bodies.tooLarge(limit);
        }
    }

    /**
     * {@link #finish()}, then {@code problem}: the answer for a body refused after reading part of
     * it, which is the answer the fully read body gets (413 first if it is over the limit).
     */
    RuntimeException refuse(RuntimeException problem) {
        finish();
        return problem;
    }
}
