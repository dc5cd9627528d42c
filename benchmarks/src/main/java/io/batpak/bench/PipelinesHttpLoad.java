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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * (o) Pipelines over HTTP against a running server (benchmarks/load/pipelines.sh starts one): the
 * baseline is a plain consumer group of 16 members draining {@code events} stream events, each
 * polling up to 10 deliveries and acking each delivery in its own call (as a stage worker must);
 * then a 4-stage diamond pipeline (validate → charge, email → ship) over {@code events} trigger
 * events, 4 workers per stage (16 in all) polling up to 10 and acking each delivery with a small
 * JSON output. Prints group events/s, pipeline instances/s and their ratio. The events are
 * published before each phase is timed. A warm-up of {@code warmupSeconds} runs both phases on
 * throw-away streams first (server JIT).
 *
 * <p>Arguments: base URL (…/api/v1/), events per phase (2000), warm-up seconds (40). Bearer token
 * from {@code BATPAK_TOKEN}, as in {@link StreamsHttpLoad}.
 */
public final class PipelinesHttpLoad {
    private static final Pattern ID = Pattern.compile("\"deliveryId\":\"([^\"]+)\"");
    private static final Pattern DONE = Pattern.compile("\"done\":(\\d+)");
    private static final String PAYLOAD = "\"" + "x".repeat(198) + "\"";
    private static final String TOKEN = System.getenv("BATPAK_TOKEN");
    private static final String[] STAGES = {"validate", "charge", "email", "ship"};

    private PipelinesHttpLoad() {
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        long warmEnd = System.nanoTime() + warmup * 1_000_000_000L;
        int warmRounds = 0;
        while (System.nanoTime() < warmEnd) {
            group(client, base, "warm-g" + warmRounds, Math.max(200, events / 4));
            pipeline(client, base, "warm-p" + warmRounds, Math.max(100, events / 8));
            warmRounds++;
        }
        System.out.printf("warm-up: %d rounds of both phases in %d s%n", warmRounds, warmup);
        double g = group(client, base, "bench-g", events);
        double p = pipeline(client, base, "bench-p", events);
        System.out.printf("group    %,.0f events/s (16 members, max 10 per poll, one ack call per delivery, %d events)%n", g, events);
        System.out.printf("pipeline %,.0f instances/s (4-stage diamond, 4 workers per stage, %d instances)%n", p, events);
        System.out.printf("ratio    %.3f instances/s per group event/s (%.3f stage deliveries per group delivery)%n", p / g, 4 * p / g);
    }

    private static void stream(HttpClient client, URI base, String stream, int events) {
        check(send(client, HttpRequest.newBuilder(base.resolve("streams/" + stream)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"partitions\":4}"))), 201);
        for (int i = 0; i < events; i += 100) {
            StringBuilder b = new StringBuilder("{\"events\":[");
            for (int j = i; j < Math.min(events, i + 100); j++) {
                b.append(j == i ? "" : ",").append("{\"key\":\"order-").append(j).append("\",\"kind\":61441,\"payload\":")
                        .append(PAYLOAD).append('}');
            }
            check(send(client, post(base.resolve("streams/" + stream + "/events"), b.append("]}").toString())), 201);
        }
    }

    /** Events/s of a 16-member group draining {@code events} published events, one ack call per delivery. */
    private static double group(HttpClient client, URI base, String stream, int events) throws Exception {
        stream(client, base, stream, events);
        check(send(client, HttpRequest.newBuilder(base.resolve("streams/" + stream + "/groups/g"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"ackTimeoutMs\":60000,\"maxInFlight\":10000}"))), 200);
        AtomicLong acked = new AtomicLong();
        long t0 = System.nanoTime();
        workers(16, m -> () -> {
            while (acked.get() < events) {
                Matcher ids = ID.matcher(send(client, post(base.resolve("streams/" + stream + "/groups/g/poll"),
                        "{\"consumer\":\"m" + m + "\",\"max\":10,\"waitMs\":200}")));
                while (ids.find()) {
                    check(send(client, post(base.resolve("streams/" + stream + "/groups/g/ack"),
                            "{\"deliveryIds\":[\"" + ids.group(1) + "\"]}")), 200);
                    acked.incrementAndGet();
                }
            }
        });
        return events / ((System.nanoTime() - t0) / 1e9);
    }

    /** Instances/s of the diamond over {@code events} trigger events, 4 workers per stage. */
    private static double pipeline(HttpClient client, URI base, String name, int events) throws Exception {
        stream(client, base, name, events);
        check(send(client, HttpRequest.newBuilder(base.resolve("pipelines/" + name)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"input\":\"" + name + "\",\"ackTimeoutMs\":60000,\"stages\":["
                        + "{\"name\":\"validate\"},{\"name\":\"charge\",\"dependsOn\":[\"validate\"]},"
                        + "{\"name\":\"email\",\"dependsOn\":[\"validate\"]},{\"name\":\"ship\",\"dependsOn\":[\"charge\",\"email\"]}]}"))),
                201);
        AtomicBoolean finished = new AtomicBoolean();
        long t0 = System.nanoTime();
        ExecutorService watcher = Executors.newSingleThreadExecutor();
        Future<?> watch = watcher.submit(() -> {
            while (true) {
                Matcher m = DONE.matcher(send(client, HttpRequest.newBuilder(base.resolve("pipelines/" + name)).GET()));
                if (m.find() && Long.parseLong(m.group(1)) >= events) {
                    finished.set(true);
                    return null;
                }
                Thread.sleep(20);
            }
        });
        workers(16, w -> () -> {
            String stage = STAGES[w % 4];
            while (!finished.get()) {
                Matcher ids = ID.matcher(send(client, post(base.resolve("pipelines/" + name + "/stages/" + stage + "/poll"),
                        "{\"consumer\":\"w" + w + "\",\"max\":10,\"waitMs\":200}")));
                while (ids.find()) {
                    check(send(client, post(base.resolve("pipelines/" + name + "/stages/" + stage + "/ack"),
                            "{\"deliveryId\":\"" + ids.group(1) + "\",\"output\":{\"stage\":\"" + stage + "\",\"ok\":true}}")), 200);
                }
            }
        });
        watch.get();
        watcher.shutdown();
        return events / ((System.nanoTime() - t0) / 1e9);
    }

    @FunctionalInterface
    private interface Worker {
        Runnable of(int index);
    }

    private static void workers(int n, Worker w) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            fs.add(pool.submit(w.of(i)));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
    }

    private static HttpRequest.Builder post(URI uri, String json) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
    }

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
            throw new IllegalStateException("expected " + status + ", got " + reply.substring(0, Math.min(300, reply.length())));
        }
    }
}
