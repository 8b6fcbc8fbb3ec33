package io.tophat.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Consumers in the test JVM reading producers' latest data through the balancer's seed path
 * ({@code GET /get_data/{id}}, 302 followed by hand), so that every redirect's Location can be checked. Runs
 * background readers that log every redirect, and sweeps that read every producer once.
 */
final class Consumers implements AutoCloseable {
    private static final Pattern N = Pattern.compile("\"n\"\\s*:\\s*(\\d+)");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();

    /** A 302/307 from the balancer, asked at {@code startNanos} and answered at {@code endNanos}. */
    record Redirect(long startNanos, long endNanos, String producer, String location) {
        String workerId() {
            URI uri = URI.create(location);
            return uri.getHost() + ":" + uri.getPort();
        }
    }

    /** One read: how it ended, and the {@code n} of the data served (-1 when none). */
    record Read(String producer, String outcome, long n) {
    }

    private final URI balancer;
    private final List<String> producers;
    private final ConcurrentLinkedQueue<Redirect> redirects = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();
    private final List<Thread> readers = new ArrayList<>();
    private final ExecutorService sweepers = Executors.newFixedThreadPool(10);
    private volatile boolean running = true;

    Consumers(URI balancer, List<String> producers) {
        this.balancer = balancer;
        this.producers = producers;
    }

    /** Starts {@code count} readers cycling over all producers, each pausing {@code pause} between reads. */
    Consumers startReaders(int count, Duration pause) {
        for (int c = 0; c < count; c++) {
            int offset = c * producers.size() / count;
            Thread t = new Thread(() -> {
                for (int i = offset; running; i++) {
                    Read r = read(producers.get(i % producers.size()));
                    outcomes.computeIfAbsent(r.outcome(), k -> new AtomicLong()).incrementAndGet();
                    try {
                        Thread.sleep(pause.toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "consumer-" + c);
            t.setDaemon(true);
            readers.add(t);
            t.start();
        }
        return this;
    }

    /** Reads one producer: balancer, then the worker it redirects to. */
    Read read(String producer) {
        long start = System.nanoTime();
        HttpResponse<String> first;
        try {
            first = get(balancer.resolve("/get_data/" + producer));
        } catch (IOException e) {
            return new Read(producer, "balancer unreachable", -1);
        }
        if (first.statusCode() / 100 != 3) {
            return new Read(producer, "balancer " + first.statusCode(), -1);
        }
        String location = first.headers().firstValue("Location").orElse(null);
        if (location == null) {
            return new Read(producer, "redirect without Location", -1);
        }
        redirects.add(new Redirect(start, System.nanoTime(), producer, location));
        HttpResponse<String> second;
        try {
            second = get(URI.create(location));
        } catch (IOException e) {
            return new Read(producer, "redirected, worker unreachable", -1);
        }
        if (second.statusCode() != 200) {
            return new Read(producer, "redirected, worker " + second.statusCode(), -1);
        }
        Matcher m = N.matcher(second.body());
        return new Read(producer, "redirected, worker 200", m.find() ? Long.parseLong(m.group(1)) : -1);
    }

    private static HttpResponse<String> get(URI uri) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Reads every producer once, in parallel; returns the producers not served current data: data whose
     * {@code n} is at least {@code current} of the producer as it was when the read started.
     */
    List<String> sweep(ToLongFunction<String> current) throws Exception {
        List<Future<String>> reads = new ArrayList<>();
        for (String producer : producers) {
            reads.add(sweepers.submit(() -> {
                long expected = current.applyAsLong(producer);
                Read r = read(producer);
                return r.n() >= expected && r.n() >= 0 ? null : producer + " (" + r.outcome() + ", n " + r.n()
                        + " < " + expected + ")";
            }));
        }
        List<String> stale = new ArrayList<>();
        for (Future<String> f : reads) {
            String problem = f.get();
            if (problem != null) {
                stale.add(problem);
            }
        }
        return stale;
    }

    /**
     * Sweeps until one sweep serves every producer current data or {@code timeout} passes; returns when that
     * sweep ended, or -1 (with the last problems printed) when none did.
     */
    long sweepUntilAllCurrent(ToLongFunction<String> current, Duration timeout) {
        List<List<String>> stale = new ArrayList<>(List.of(List.of()));
        try {
            org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).pollDelay(Duration.ZERO)
                    .until(() -> {
                        stale.set(0, sweep(current));
                        return stale.get(0).isEmpty();
                    });
            return System.nanoTime();
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> last = stale.get(0);
            System.out.println("still not current after " + timeout + ": " + last.subList(0, Math.min(5, last.size())));
            return -1;
        }
    }

    List<Redirect> redirects() {
        return List.copyOf(redirects);
    }

    /** How the background reads ended, counted. */
    Map<String, Long> outcomes() {
        Map<String, Long> copy = new TreeMap<>();
        outcomes.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : readers) {
            t.join(5000);
        }
        sweepers.shutdownNow();
    }
}
