package io.batpak.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * (j) Streams over HTTP against a running server (benchmarks/load/streams.sh starts one): plain
 * appends ({@code POST /events}) as the baseline, publishes to a 4-partition stream
 * ({@code POST /streams/s/events}), both single events of 200 bytes from {@code threads} clients for
 * {@code seconds} each, after a warm-up of both and alternating over two rounds; then a group of 4 members drains everything published: each polls up to
 * {@code max} deliveries and acks them in one call, until the group's lag is 0. Prints events/s of
 * each phase.
 *
 * <p>Arguments: base URL (…/api/v1/), threads (16), seconds (20), max per poll (100). The bearer
 * token is read from the environment variable {@code BATPAK_TOKEN} (the server's generated
 * {@code admin.token}); without it requests go unauthenticated, for a server with auth mode none.
 */
public final class StreamsHttpLoad {
    private static final Pattern ID = Pattern.compile("\"deliveryId\":\"([^\"]+)\"");
    private static final String PAYLOAD = "\"" + "x".repeat(198) + "\"";

    private StreamsHttpLoad() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        int max = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String stream = "load-" + Long.toHexString(System.nanoTime());
        check(send(client, HttpRequest.newBuilder(base.resolve("streams/" + stream))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"partitions\":4}"))), 201);
        check(send(client, post(base.resolve("streams/" + stream + "/groups/g"), "{}").method("PUT",
                HttpRequest.BodyPublishers.ofString("{\"ackTimeoutMs\":60000,\"maxInFlight\":10000}"))), 200);

        AtomicLong published = new AtomicLong();
        Runnable appendOne = () -> check(send(client, post(base.resolve("events"), "{\"entity\":\"acct-"
                + ThreadLocalRandom.current().nextInt(1000) + "\",\"scope\":\"bank\",\"kind\":61441,\"payload\":"
                + PAYLOAD + "}")), 201);
        Runnable publishOne = () -> {
            check(send(client, post(base.resolve("streams/" + stream + "/events"), "{\"key\":\"order-"
                    + ThreadLocalRandom.current().nextInt(1000) + "\",\"kind\":61441,\"payload\":" + PAYLOAD + "}")),
                    201);
            published.incrementAndGet();
        };
        // warm the server's JIT on both paths, then alternate so drift hits both alike
        run(threads, Math.max(1, seconds / 3), appendOne);
        run(threads, Math.max(1, seconds / 3), publishOne);
        for (int round = 1; round <= 2; round++) {
            System.out.printf("round %d: append  %,.0f events/s (%d clients)%n", round,
                    run(threads, seconds, appendOne), threads);
            System.out.printf("round %d: publish %,.0f events/s (%d clients, 4 partitions)%n", round,
                    run(threads, seconds, publishOne), threads);
        }

        AtomicLong acked = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        long t0 = System.nanoTime();
        List<Future<?>> members = new ArrayList<>();
        for (int m = 0; m < 4; m++) {
            String consumer = "m" + m;
            members.add(pool.submit(() -> {
                while (acked.get() < published.get()) {
                    String got = send(client, post(base.resolve("streams/" + stream + "/groups/g/poll"),
                            "{\"consumer\":\"" + consumer + "\",\"max\":" + max + ",\"waitMs\":200}"));
                    Matcher ids = ID.matcher(got);
                    StringBuilder body = new StringBuilder("{\"deliveryIds\":[");
                    int n = 0;
                    while (ids.find()) {
                        body.append(n++ == 0 ? "\"" : ",\"").append(ids.group(1)).append('"');
                    }
                    if (n > 0) {
                        check(send(client, post(base.resolve("streams/" + stream + "/groups/g/ack"),
                                body.append("]}").toString())), 200);
                        acked.addAndGet(n);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : members) {
            f.get();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        System.out.printf("consume  %,.0f events/s (4 members, max %d per poll, %,d events in %.1f s)%n",
                acked.get() / secs, max, acked.get(), secs);
    }

    private static double run(int threads, int seconds, Runnable call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            fs.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    call.run();
                    done.incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        return done.get() / (double) seconds;
    }

    private static HttpRequest.Builder post(URI uri, String json) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private static final String TOKEN = System.getenv("BATPAK_TOKEN");

    private static String send(HttpClient client, HttpRequest.Builder b) {
        if (TOKEN != null && !TOKEN.isBlank()) {
            b.header("Authorization", "Bearer " + TOKEN.strip());
        }
        try {
            HttpResponse<String> r = client.send(b.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (Exception e) {
            throw new IllegalStateException("request failed: " + e, e);
        }
    }

    private static void check(String reply, int status) {
        if (!reply.startsWith(status + " ")) {
            throw new IllegalStateException("expected " + status + ", got " + reply);
        }
    }
}
