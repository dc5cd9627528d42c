package io.batpak.bench;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * (n) Publish-to-receive latency over HTTP against a running server (benchmarks/load/exchanges.sh
 * starts one): an exchange ({@code POST /exchanges/lat/publish} → its SSE
 * {@code GET /exchanges/lat/subscribe}) against stored events ({@code POST /events} → the SSE
 * {@code GET /subscribe?entityPrefix=…}, which waits for the append's fsync) in the same run. One
 * message in flight at a time from one client: latency is from just before the POST is sent to
 * the moment its SSE line is read. After {@code warmSeconds} (≥ 30) of both, alternately, two
 * rounds of {@code samples} each. Prints p50/p99 in microseconds and the ratios exchange / stored.
 *
 * <p>Arguments: base URL (…/api/v1/), samples per round (3000), warm-up seconds (30). The token is
 * read from {@code BATPAK_TOKEN}.
 */
public final class ExchangeHttpLatency {
    private static final String PAYLOAD = "\"" + "x".repeat(198) + "\"";
    private static final String TOKEN = System.getenv("BATPAK_TOKEN");

    private ExchangeHttpLatency() {
    }

    /** One path under test: a POST and the SSE stream it shows up on. */
    private record Path(String name, URI post, String body, URI sse) {
    }

    private static HttpRequest.Builder auth(HttpRequest.Builder b) {
        return TOKEN == null ? b : b.header("Authorization", "Bearer " + TOKEN);
    }

    /** An open SSE stream whose data lines a daemon thread queues with their arrival time. */
    private static LinkedBlockingQueue<Long> open(HttpClient client, URI sse) throws Exception {
        HttpResponse<InputStream> r = client.send(auth(HttpRequest.newBuilder(sse).header("Accept",
                "text/event-stream")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("SSE " + sse + " answered " + r.statusCode());
        }
        LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data:")) {
                        arrivals.add(System.nanoTime());
                    }
                }
            } catch (Exception e) {
                arrivals.add(-1L);
            }
        }, "sse-" + sse.getPath());
        t.setDaemon(true);
        t.start();
        return arrivals;
    }

    private static long[] run(HttpClient client, Path p, LinkedBlockingQueue<Long> arrivals, int n) throws Exception {
        long[] lat = new long[n];
        HttpRequest req = auth(HttpRequest.newBuilder(p.post()).header("Content-Type", "application/json"))
                .POST(HttpRequest.BodyPublishers.ofString(p.body())).build();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(p.name() + " answered " + r.statusCode() + ": " + r.body());
            }
            Long at = arrivals.poll(30, TimeUnit.SECONDS);
            if (at == null || at < 0) {
                throw new IllegalStateException(p.name() + ": the SSE stream delivered nothing within 30 s");
            }
            lat[i] = at - t0;
        }
        Arrays.sort(lat);
        return lat;
    }

    private static double us(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e3;
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        long warmSeconds = Math.max(30, args.length > 2 ? Long.parseLong(args[2]) : 30);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String entity = "lat-" + Long.toHexString(System.nanoTime());
        Path exchange = new Path("exchange", base.resolve("exchanges/lat/publish"),
                "{\"topic\":\"orders.eu\",\"payload\":" + PAYLOAD + "}", base.resolve("exchanges/lat/subscribe?topic=orders.*"));
        Path stored = new Path("stored", base.resolve("events"), "{\"entity\":\"" + entity
                + "\",\"scope\":\"bench\",\"kind\":61441,\"payload\":" + PAYLOAD + "}",
                base.resolve("subscribe?entityPrefix=" + entity + "&scope=bench"));
        LinkedBlockingQueue<Long> xa = open(client, exchange.sse());
        LinkedBlockingQueue<Long> sa = open(client, stored.sse());
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmSeconds);
        while (System.nanoTime() < end) { // the server's JIT, on both paths alike
            run(client, exchange, xa, 200);
            run(client, stored, sa, 200);
        }
        for (int round = 1; round <= 2; round++) {
            long[] s = run(client, stored, sa, samples);
            long[] x = run(client, exchange, xa, samples);
            System.out.printf("round %d: stored POST /events -> /subscribe p50 %.0f us p99 %.0f us | exchange publish ->"
                    + " subscribe p50 %.0f us p99 %.0f us | ratio exchange/stored p50 %.2f p99 %.2f (%d samples each)%n",
                    round, us(s, .5), us(s, .99), us(x, .5), us(x, .99), us(x, .5) / us(s, .5), us(x, .99) / us(s, .99),
                    samples);
        }
    }
}
