package io.batpak.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 over a plain socket, for requests a real client refuses to build (invalid percent
 * escapes, raw bytes in paths, odd headers). One request per connection; reads the status line and
 * headers, then the body up to a cap, or stops after the headers of an event stream.
 */
final class RawHttp {
    private static final int BODY_CAP = 4 << 20;

    /** The server's answer; status 0 means it closed the connection without one. */
    record Answer(int status, String head, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) {
                    return line.substring(c + 1).trim();
                }
            }
            return null;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String host;
    private final int port;
    private final String bearerToken;

    RawHttp(String host, int port, String bearerToken) {
        this.host = host;
        this.port = port;
        this.bearerToken = bearerToken;
    }

    /**
     * Sends one request; {@code target} is the raw request target (path and query, sent as is).
     *
     * @throws SocketTimeoutException if the server did not answer within {@code timeoutMs}: a hang
     */
    Answer exchange(String method, String target, List<String> headers, byte[] body, int timeoutMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(':').append(port).append("\r\nConnection: close\r\n");
            if (bearerToken != null) {
                req.append("Authorization: Bearer ").append(bearerToken).append("\r\n");
            }
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            if (body != null) {
                req.append("Content-Length: ").append(body.length).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            try {
                out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException refusedMidUpload) {
                // The server may answer (413) and close before an oversized body is sent: read what it said.
            }
            return read(s.getInputStream());
        }
    }

    private static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        int b;
        try {
            while (state < 4 && (b = in.read()) >= 0) {
                head.write(b);
                state = b == '\r' && (state == 0 || state == 2) || b == '\n' && (state == 1 || state == 3) ? state + 1
                        : b == '\r' ? 1 : 0;
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            return new Answer(0, head.toString(StandardCharsets.ISO_8859_1), new byte[0]);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        if (!h.startsWith("HTTP/1.")) {
            return new Answer(0, h, new byte[0]);
        }
        int status = Integer.parseInt(h.substring(9, 12));
        Answer headOnly = new Answer(status, h, new byte[0]);
        String type = headOnly.header("Content-Type");
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            return headOnly; // a live stream never ends: the answer is the status
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        String length = headOnly.header("Content-Length");
        long want = length == null ? Long.MAX_VALUE : Long.parseLong(length);
        try {
            int n;
            while (body.size() < Math.min(want, BODY_CAP) && (n = in.read(buf)) > 0) {
                body.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException reset) {
            // the status was answered; a reset while draining the body does not change it
        }
        String encoding = headOnly.header("Transfer-Encoding");
        byte[] bytes = body.toByteArray();
        return new Answer(status, h, encoding != null && encoding.equalsIgnoreCase("chunked") ? dechunk(bytes) : bytes);
    }

    /** Joins the chunks of a chunked body (as far as they are complete). */
    private static byte[] dechunk(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < raw.length) {
            int eol = pos;
            while (eol + 1 < raw.length && !(raw[eol] == '\r' && raw[eol + 1] == '\n')) {
                eol++;
            }
            if (eol + 1 >= raw.length) {
                break;
            }
            String size = new String(raw, pos, eol - pos, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int n;
            try {
                n = Integer.parseInt(size, 16);
            } catch (NumberFormatException e) {
                break;
            }
            if (n == 0 || eol + 2 + n > raw.length) {
                break;
            }
            out.write(raw, eol + 2, n);
            pos = eol + 2 + n + 2;
        }
        return out.toByteArray();
    }
}
