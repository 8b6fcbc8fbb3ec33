package io.tophat.cluster;

import io.tophat.testing.JarProcess;

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
import java.util.stream.Collectors;

/**
 * Balancers and workers, each a {@code tophat} process from the fat jar on loopback, with their data under one
 * folder: {@code balancer-N/} and {@code worker-N/heartbeats.db}. Every worker registers with every balancer.
 * Closing it SIGKILLs whatever still runs.
 */
final class ProcessCluster implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
            .followRedirects(HttpClient.Redirect.NEVER).version(HttpClient.Version.HTTP_1_1).build();

    private final Path dir;
    private final Duration leaseInterval;
    private final Duration drainTimeout;
    private final List<String> balancerArgs;
    private final List<Integer> balancerPorts = new ArrayList<>();
    private final List<JarProcess> balancers = new ArrayList<>();
    private final List<Integer> workerPorts = new ArrayList<>();
    private final List<JarProcess> workers = new ArrayList<>();
    private final List<Path> workerDirs = new ArrayList<>();
    private int launches;

    private ProcessCluster(Path dir, Duration leaseInterval, Duration drainTimeout, List<String> balancerArgs) {
        this.dir = dir;
        this.leaseInterval = leaseInterval;
        this.drainTimeout = drainTimeout;
        this.balancerArgs = balancerArgs;
    }

    /** Starts one balancer (with {@code balancerArgs} added) and {@code workerCount} workers, and waits for them. */
    static ProcessCluster start(Path dir, int workerCount, Duration leaseInterval, Duration drainTimeout,
                                String... balancerArgs) throws Exception {
        return start(dir, 1, workerCount, leaseInterval, drainTimeout, balancerArgs);
    }

    /**
     * Starts {@code balancerCount} balancers, then (once they listen, since a worker gives up registering after
     * a few seconds) {@code workerCount} workers registered with all of them.
     */
    static ProcessCluster start(Path dir, int balancerCount, int workerCount, Duration leaseInterval,
                                Duration drainTimeout, String... balancerArgs) throws Exception {
        ProcessCluster cluster = new ProcessCluster(dir, leaseInterval, drainTimeout, List.of(balancerArgs));
        try {
            for (int i = 0; i < balancerCount; i++) {
                cluster.balancerPorts.add(JarProcess.freePort());
                cluster.balancers.add(null);
                cluster.launchBalancer(i);
            }
            for (JarProcess balancer : cluster.balancers) {
                balancer.awaitOutput("TopHat balancer on", START_TIMEOUT);
            }
            for (int i = 0; i < workerCount; i++) {
                cluster.workerPorts.add(JarProcess.freePort());
                cluster.workerDirs.add(dir.resolve("worker-" + i));
                cluster.workers.add(cluster.launchWorker(i, cluster.balancerList(), List.of()));
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

    /**
     * Starts the first balancer process again on the same port and data dir, with {@code extraArgs} added, without
     * waiting for it.
     */
    JarProcess launchBalancer(String... extraArgs) throws IOException {
        return launchBalancer(0, extraArgs);
    }

    /** The first balancer's data dir. */
    Path balancerDir() {
        return dir.resolve("balancer-0");
    }

    private JarProcess launchBalancer(int index, String... extraArgs) throws IOException {
        launches++;
        List<String> args = new ArrayList<>(List.of("balancer", "--host", "127.0.0.1",
                "--port", "" + balancerPorts.get(index), "--data-dir", dir.resolve("balancer-" + index).toString(),
                "--lease-interval", leaseInterval.toMillis() + "ms"));
        args.addAll(balancerArgs);
        args.addAll(List.of(extraArgs));
        JarProcess balancer = JarProcess.start(dir, "balancer-" + index + "-start-" + launches, args);
        balancers.set(index, balancer);
        return balancer;
    }

    private String balancerList() {
        return balancerPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    private JarProcess launchWorker(int index, String balancers, List<String> extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("worker", "--host", "127.0.0.1",
                "--port", "" + workerPorts.get(index), "--balancer", balancers,
                "--data-dir", workerDirs.get(index).toString(),
                "--drain-timeout", drainTimeout.toMillis() + "ms"));
        args.addAll(extraArgs);
        String name = "worker-" + index + (workers.size() > index ? "-start-" + (++launches) : "");
        return JarProcess.start(dir, name, args);
    }

    /** Starts the worker with this index again, on its port and data dir, and waits until it listens. */
    void relaunchWorker(int index) throws Exception {
        relaunchWorkers(index);
    }

    /** Starts these workers again, each on its port and data dir, all at once, and waits until they listen. */
    void relaunchWorkers(int... indexes) throws Exception {
        for (int index : indexes) {
            workers.set(index, launchWorker(index, balancerList(), List.of()));
        }
        for (int index : indexes) {
            workers.get(index).awaitOutput("TopHat worker on port", START_TIMEOUT);
        }
    }

    /**
     * Starts one more worker and waits until it listens: registered with {@code balancers} (host:port, comma
     * separated; null for every balancer of the cluster), its data in {@code dataDir} (null for
     * {@code worker-N/}), with {@code extraArgs} added. Returns its index.
     */
    int addWorker(String balancers, Path dataDir, String... extraArgs) throws Exception {
        int index = workers.size();
        workerPorts.add(JarProcess.freePort());
        workerDirs.add(dataDir == null ? dir.resolve("worker-" + index) : dataDir);
        JarProcess worker = launchWorker(index, balancers == null ? balancerList() : balancers, List.of(extraArgs));
        workers.add(worker);
        worker.awaitOutput("TopHat worker on port", START_TIMEOUT);
        return index;
    }

    /** True when the first balancer answers {@code GET /health} with 200. */
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

    JarProcess balancer() {
        return balancers.get(0);
    }

    URI balancerUri() {
        return balancerUri(0);
    }

    URI balancerUri(int index) {
        return URI.create("http://127.0.0.1:" + balancerPorts.get(index));
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
        return workerDirs.get(index).resolve("heartbeats.db");
    }

    List<Path> workerStores() {
        List<Path> stores = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            stores.add(workerStore(i));
        }
        return stores;
    }

    /** {@code GET /api/v1/cluster} on the first balancer. */
    JsonNode status() throws IOException, InterruptedException {
        return status(0);
    }

    /** {@code GET /api/v1/cluster} on the balancer with this index. */
    JsonNode status(int balancer) throws IOException, InterruptedException {
        HttpResponse<String> r = send("GET", balancerUri(balancer).resolve("/api/v1/cluster"), null);
        if (r.statusCode() != 200) {
            throw new IOException("cluster status answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The worker's entry in the first balancer's cluster status, or null when it does not list it. */
    JsonNode memberStatus(int index) throws IOException, InterruptedException {
        for (JsonNode w : status().path("workers")) {
            if (w.path("id").asText().equals(workerId(index))) {
                return w;
            }
        }
        return null;
    }

    /** Sends {@code method path} with an optional JSON body to the first balancer. */
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
        List<JarProcess> every = new ArrayList<>(balancers);
        every.addAll(workers);
        for (JarProcess p : every) {
            if (p == null) {
                continue;
            }
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
        for (JarProcess balancer : balancers) {
            if (balancer != null) {
                balancer.close();
            }
        }
    }

    /** {@code target/<group>/<test method>}, emptied: where a test's processes keep their data and logs. */
    static Path freshFolder(String group, org.junit.jupiter.api.TestInfo test) throws IOException {
        Path dir = Path.of("target", group, test.getTestMethod().orElseThrow().getName()).toAbsolutePath();
        if (java.nio.file.Files.exists(dir)) {
            try (java.util.stream.Stream<Path> old = java.nio.file.Files.walk(dir)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        java.nio.file.Files.createDirectories(dir);
        return dir;
    }

    /** Polls {@code probe} until it returns a non-negative value, and returns it; fails after {@code timeout}. */
    static long awaitTrue(java.util.concurrent.Callable<Long> probe, Duration timeout) {
        long[] value = {-1};
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(20)).until(() -> {
            value[0] = probe.call();
            return value[0] >= 0;
        });
        return value[0];
    }

    /** Runs {@code body}; when it fails, prints every process's output before the failure goes on. */
    void showLogsOnFailure(java.util.concurrent.Callable<Void> body) throws Exception {
        try {
            body.call();
        } catch (Exception | AssertionError e) {
            System.out.println("process logs (also in " + dir + "):\n" + logs());
            throw e;
        }
    }

    @Override
    public void close() throws InterruptedException {
        killAll();
    }
}
