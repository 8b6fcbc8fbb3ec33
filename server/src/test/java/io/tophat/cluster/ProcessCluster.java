package io.tophat.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A balancer and its workers, each a {@code tophat} process from the fat jar on loopback, with their data under
 * one folder: {@code balancer/} and {@code worker-N/heartbeats.db}. Closing it SIGKILLs whatever still runs.
 */
final class ProcessCluster implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private final Path dir;
    private final Duration leaseInterval;
    private final Duration drainTimeout;
    private final List<String> balancerArgs;
    private final int balancerPort;
    private final List<Integer> workerPorts = new ArrayList<>();
    private final List<JarProcess> workers = new ArrayList<>();
    private JarProcess balancer;
    private int balancerStarts;

    private ProcessCluster(Path dir, Duration leaseInterval, Duration drainTimeout, List<String> balancerArgs)
            throws IOException {
        this.dir = dir;
        this.leaseInterval = leaseInterval;
        this.drainTimeout = drainTimeout;
        this.balancerArgs = balancerArgs;
        this.balancerPort = JarProcess.freePort();
    }

    /** Starts a balancer (with {@code balancerArgs} added) and {@code workerCount} workers, and waits for them. */
    static ProcessCluster start(Path dir, int workerCount, Duration leaseInterval, Duration drainTimeout,
                                String... balancerArgs) throws Exception {
        ProcessCluster cluster = new ProcessCluster(dir, leaseInterval, drainTimeout, List.of(balancerArgs));
        try {
            cluster.startBalancer();
            for (int i = 0; i < workerCount; i++) {
                cluster.workerPorts.add(JarProcess.freePort());
                cluster.workers.add(cluster.launchWorker(i));
            }
            for (JarProcess worker : cluster.workers) {
                worker.awaitOutput("TopHat worker on port", START_TIMEOUT);
            }
            return cluster;
        } catch (Exception | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** Starts the balancer (again) on the same port and data dir; returns once it prints that it listens. */
    JarProcess startBalancer() throws Exception {
        return launchBalancer().awaitOutput("TopHat balancer on", START_TIMEOUT);
    }

    /** Starts the balancer process (again) on the same port and data dir, without waiting for it. */
    JarProcess launchBalancer() throws IOException {
        balancerStarts++;
        List<String> args = new ArrayList<>(List.of("balancer", "--host", "127.0.0.1", "--port", "" + balancerPort,
                "--data-dir", dir.resolve("balancer").toString()));
        args.addAll(balancerArgs);
        balancer = JarProcess.start(dir, "balancer-" + balancerStarts, args);
        return balancer;
    }

    /** True when the balancer answers {@code GET /health} with 200. */
    boolean healthy() {
        try {
            return send("GET", balancerUri().resolve("/health"), null).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private JarProcess launchWorker(int index) throws IOException {
        return JarProcess.start(dir, "worker-" + index, List.of("worker", "--host", "127.0.0.1",
                "--port", "" + workerPorts.get(index), "--balancer", "127.0.0.1:" + balancerPort,
                "--data-dir", dir.resolve("worker-" + index).toString(),
                "--lease-interval", leaseInterval.toMillis() + "ms",
                "--drain-timeout", drainTimeout.toMillis() + "ms"));
    }

    JarProcess balancer() {
        return balancer;
    }

    URI balancerUri() {
        return URI.create("http://127.0.0.1:" + balancerPort);
    }

    JarProcess worker(int index) {
        return workers.get(index);
    }

    int workerCount() {
        return workers.size();
    }

    /** The worker's base URL as the balancer hands it out. */
    String workerUrl(int index) {
        return "http://" + workerId(index);
    }

    /** The worker's id at the balancer: host:port. */
    String workerId(int index) {
        return "127.0.0.1:" + workerPorts.get(index);
    }

    Path workerStore(int index) {
        return dir.resolve("worker-" + index).resolve("heartbeats.db");
    }

    List<Path> workerStores() {
        List<Path> stores = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            stores.add(workerStore(i));
        }
        return stores;
    }

    Duration leaseInterval() {
        return leaseInterval;
    }

    /** {@code GET /api/v1/cluster} on the balancer. */
    JsonNode status() throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(balancerUri().resolve("/api/v1/cluster"))
                .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("cluster status answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The worker's entry in the cluster status, or null when the balancer does not list it. */
    JsonNode memberStatus(int index) throws IOException, InterruptedException {
        for (JsonNode w : status().path("workers")) {
            if (w.path("id").asText().equals(workerId(index))) {
                return w;
            }
        }
        return null;
    }

    /** Sends {@code method path} with an optional JSON body to the balancer. */
    HttpResponse<String> balancerRequest(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, balancerUri().resolve(path), body);
    }

    static HttpResponse<String> send(String method, URI uri, String body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every process's output, for a failure message. */
    String logs() {
        StringBuilder all = new StringBuilder();
        List<JarProcess> every = new ArrayList<>(workers);
        if (balancer != null) {
            every.add(0, balancer);
        }
        for (JarProcess p : every) {
            try {
                all.append("---- ").append(p.name()).append('\n').append(p.output());
            } catch (IOException e) {
                all.append("---- ").append(p.name()).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return all.toString();
    }

    /** SIGKILLs every process still running. */
    void killAll() throws InterruptedException {
        for (JarProcess worker : workers) {
            worker.close();
        }
        if (balancer != null) {
            balancer.close();
        }
    }

    @Override
    public void close() throws InterruptedException {
        killAll();
    }
}
