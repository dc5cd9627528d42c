package io.batpak.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An open {@code text/event-stream} whose every read has a deadline. {@code java.net.http} has no
 * read timeout on a response body and {@code BufferedReader.readLine()} blocks until the server
 * sends a line, so a server that stops sending would hang the test instead of failing it: a daemon
 * thread reads the lines into a queue and {@link #next} waits for the next message at most until
 * its deadline. Closing the stream ends the reading thread.
 */
final class SseStream implements AutoCloseable {
    /** One SSE message: its {@code id:} (null without one) and its {@code data:} lines joined. */
    record Message(String id, String data) {
    }

    private static final Message END = new Message(null, null);
    private final InputStream body;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final int status;

    private SseStream(int status, InputStream body) {
        this.status = status;
        this.body = body;
        Thread reader = new Thread(this::readLoop, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Opens {@code uri} with {@code Accept: text/event-stream} (and {@code Last-Event-ID} when not
     * null); waits at most {@code timeout} for the status and headers.
     */
    static SseStream open(HttpClient client, java.net.URI uri, String authorization, String lastEventId, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream").timeout(timeout).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        if (lastEventId != null) {
            b.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<InputStream> r = client.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new SseStream(r.statusCode(), r.body());
    }

    int status() {
        return status;
    }

    private void readLoop() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String id = null;
            StringBuilder data = null;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null || id != null) {
                        queue.add(new Message(id, data == null ? null : data.toString()));
                    }
                    id = null;
                    data = null;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(5).trim());
                }
                // comments (":") and other fields are keep-alives for this reader
            }
            queue.add(END);
        } catch (IOException e) {
            queue.add(e);
        }
    }

    /**
     * The next message, waiting at most until {@code deadlineNanos} ({@link System#nanoTime()}).
     *
     * @throws AssertionError if the deadline passes, the stream ends or fails first
     */
    Message next(long deadlineNanos, String what) throws InterruptedException {
        Object o = queue.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (o == null) {
            throw new AssertionError(what + ": no SSE message before the deadline (the stream stalled)");
        }
        if (o == END) {
            queue.add(END);
            throw new AssertionError(what + ": the SSE stream ended");
        }
        if (o instanceof IOException e) {
            throw new AssertionError(what + ": the SSE stream failed: " + e, e);
        }
        return (Message) o;
    }

    /** The next message before the deadline, or null if none came (for "nothing more arrives" checks). */
    Message poll(long deadlineNanos) throws InterruptedException {
        Object o = queue.poll(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (o == END) {
            queue.add(END);
            return null;
        }
        return o instanceof Message m ? m : null;
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // closing is best effort: the reader thread ends either way
        }
    }
}
