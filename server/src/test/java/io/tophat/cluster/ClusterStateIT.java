package io.tophat.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.testing.FaultyProxy;
import io.tophat.testing.JarProcess;
import io.tophat.testing.TmpfsMount;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cluster's own state under faults, with real processes from the fat jar: lease answers lost, stolen and
 * repeated between workers and the balancer while producers move; the balancer's state file deleted under
 * load and rebuilt from the workers; a worker's disk filled (a small tmpfs) and freed. Figures are printed on
 * lines starting with {@code [cluster-state-it]}; process logs stay in {@code target/cluster-state-it/}.
 *
 * <p>Run alone: {@code mvn -pl server -am verify -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ClusterStateIT}.
 */
@Timeout(180)
class ClusterStateIT {
    private static final Duration LEASE = Duration.ofMillis(500);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();


    @Test
    void lease_answers_lost_stolen_and_repeated_never_leave_a_moved_producer_acknowledged_by_its_old_worker(
            TestInfo test) throws Exception {
        Vertx vertx = Vertx.vertx();
        List<FaultyProxy> proxies = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong strayCalls = new AtomicLong();
        try (ProcessCluster cluster = ProcessCluster.start(ProcessCluster.freshFolder("cluster-state-it", test), 0, LEASE, DRAIN_TIMEOUT)) {
            cluster.showLogsOnFailure(() -> {
                int balancerPort = cluster.balancerUri().getPort();
                for (int i = 0; i < 3; i++) {
                    FaultyProxy proxy = FaultyProxy.start(vertx, balancerPort, 1000 + i).faults(
                            r -> r.method() == HttpMethod.PUT && r.path().endsWith("/lease"), 0.3, 0.3);
                    proxies.add(proxy);
                    cluster.addWorker("127.0.0.1:" + proxy.port(), null);
                }
                // Another caller renews every worker's lease with an empty body, taking answers that are not its own.
                Thread stray = new Thread(() -> {
                    while (running.get()) {
                        for (int i = 0; i < cluster.workerCount(); i++) {
                            try {
                                cluster.balancerRequest("PUT", "/api/v1/workers/" + cluster.workerId(i) + "/lease", "{}");
                                strayCalls.incrementAndGet();
                            } catch (IOException | InterruptedException e) {
                                return;
                            }
                        }
                        sleep(50);
                    }
                }, "stray-lease-caller");
                stray.start();

                List<String> ids = new ArrayList<>();
                Map<String, String> current = new HashMap<>();
                Map<String, Set<String>> former = new HashMap<>();
                Map<String, Long> seq = new HashMap<>();
                for (int i = 0; i < 30; i++) {
                    String id = "mv" + i;
                    ids.add(id);
                    HttpResponse<String> r = cluster.balancerRequest("GET", "/register/" + id, null);
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    current.put(id, r.body().strip());
                    former.put(id, new HashSet<>());
                    seq.put(id, 0L);
                    awaitStatus(id, current.get(id), seq, 200, Duration.ofSeconds(10));
                }

                List<Long> fenceMs = new ArrayList<>();
                int moves = 0;
                for (int round = 0; round < 6; round++) {
                    List<String> moving = ids.subList((round * 10) % 30, (round * 10) % 30 + 10);
                    Map<String, Long> movedAt = new HashMap<>();
                    for (String id : moving) {
                        String old = current.get(id);
                        String next = move(cluster, id, old);
                        former.get(id).add(old);
                        former.get(id).remove(next);
                        current.put(id, next);
                        movedAt.put(id, System.nanoTime());
                        moves++;
                    }
                    for (String id : moving) {
                        awaitStatus(id, current.get(id), seq, 200, Duration.ofSeconds(15));
                    }
                    for (Map.Entry<String, Long> m : movedAt.entrySet()) {
                        String id = m.getKey();
                        for (String old : former.get(id)) {
                            awaitStatus(id, old, seq, 409, Duration.ofSeconds(15));
                        }
                        fenceMs.add((System.nanoTime() - m.getValue()) / 1_000_000);
                    }
                    // Every earlier move stays fenced, whatever answers were lost or taken meanwhile.
                    for (String id : ids) {
                        if (!movedAt.containsKey(id)) {
                            for (String old : former.get(id)) {
                                assertThat(heartbeat(id, old, seq).statusCode())
                                        .as("round %d: %s at its former worker %s", round, id, old).isEqualTo(409);
                            }
                        }
                    }
                }
                Thread.sleep(4 * LEASE.toMillis());
                int twoOwners = 0;
                for (String id : ids) {
                    assertThat(heartbeat(id, current.get(id), seq).statusCode()).as(id + " at its worker").isEqualTo(200);
                    for (String old : former.get(id)) {
                        int status = heartbeat(id, old, seq).statusCode();
                        twoOwners += status == 200 ? 1 : 0;
                        assertThat(status).as(id + " at its former worker " + old).isEqualTo(409);
                    }
                }
                running.set(false);
                stray.join();
                long dropped = proxies.stream().mapToLong(FaultyProxy::dropped).sum();
                long duplicated = proxies.stream().mapToLong(FaultyProxy::duplicated).sum();
                long relayed = proxies.stream().mapToLong(FaultyProxy::relayed).sum();
                fenceMs.sort(Comparator.naturalOrder());
                report("lease faults: %d moves of 30 producers over 3 workers; lease answers dropped %d, duplicated "
                                + "%d, relayed %d; %d stray lease calls; old worker fenced after a median %d ms, "
                                + "at most %d ms; producers acknowledged by a former worker at the end: %d",
                        moves, dropped, duplicated, relayed, strayCalls.get(), fenceMs.get(fenceMs.size() / 2),
                        fenceMs.get(fenceMs.size() - 1), twoOwners);
                assertThat(dropped).as("lease answers dropped").isPositive();
                assertThat(duplicated).as("lease requests duplicated").isPositive();
                assertThat(strayCalls.get()).as("stray lease calls").isPositive();
                return null;
            });
        } finally {
            running.set(false);
            proxies.forEach(FaultyProxy::close);
            vertx.close().toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void a_balancer_whose_state_file_is_deleted_refuses_changes_and_restarted_with_recover_rebuilds_from_the_workers(
            TestInfo test) throws Exception {
        try (ProcessCluster cluster = ProcessCluster.start(ProcessCluster.freshFolder("cluster-state-it", test), 3, LEASE, DRAIN_TIMEOUT)) {
            cluster.showLogsOnFailure(() -> {
                ProducerLoad load = ProducerLoad.start(cluster.balancerUri(), "st", 30, Duration.ofMillis(250));
                try {
                    load.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
                    Map<String, String> workerBefore = load.ackWorkers();
                    long reRegistered = load.reRegistrations();

                    Files.delete(cluster.balancerDir().resolve("balancer.db"));
                    HttpResponse<String> refused = cluster.balancerRequest("GET", "/register/newcomer", null);
                    HttpResponse<String> health = cluster.balancerRequest("GET", "/health", null);
                    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                    assertThat(refused.body()).contains("was removed");
                    assertThat(health.statusCode()).as(health.body()).isEqualTo(503);

                    cluster.balancer().kill();
                    JarProcess plain = cluster.launchBalancer();
                    int code = plain.waitFor(Duration.ofSeconds(60));
                    assertThat(code).as("a restart without --recover").isEqualTo(1);
                    assertThat(plain.output()).contains("is missing").contains("--recover");

                    cluster.launchBalancer("--recover").awaitOutput("TopHat balancer on", ProcessCluster.START_TIMEOUT);
                    long back = System.nanoTime();
                    try (Consumers consumers = new Consumers(cluster.balancerUri(), load.ids())) {
                        long allCurrent = consumers.sweepUntilAllCurrent(id -> load.phone(id).lastAckedN,
                                Duration.ofSeconds(15));
                        assertThat(allCurrent).as("consumers served current data for every producer").isPositive();
                        long servedMs = (allCurrent - back) / 1_000_000;
                        JsonNode status = cluster.status();
                        long reRegisteredSince = load.reRegistrations() - reRegistered;
                        Thread.sleep(1000);
                        load.stop();
                        cluster.killAll();
                        List<String> lost = StoreAudit.read(cluster.workerStores(), load.ids())
                                .missing(load.acknowledged());
                        report("state file deleted: registration answered %d, /health %d; restart without --recover "
                                        + "exited %d; with --recover every one of 30 producers served current data "
                                        + "%d ms after the restart, %d producers re-registered, %d assignments "
                                        + "rebuilt, %d acknowledged heartbeats lost",
                                refused.statusCode(), health.statusCode(), code, servedMs, reRegisteredSince,
                                status.path("producers").asInt(), lost.size());
                        assertThat(servedMs).as("ms until every producer was served again").isLessThanOrEqualTo(5000);
                        assertThat(reRegisteredSince).as("producers that had to re-register").isZero();
                        assertThat(status.path("producers").asInt()).as("assignments rebuilt").isEqualTo(30);
                        assertThat(load.ackWorkers()).as("producers kept their workers").isEqualTo(workerBefore);
                        assertThat(lost).as("acknowledged heartbeats missing from every store").isEmpty();
                    }
                } finally {
                    load.stop();
                }
                return null;
            });
        }
    }

    @Test
    void a_worker_whose_disk_fills_steps_aside_its_producers_move_and_it_takes_producers_again_once_space_is_freed(
            TestInfo test) throws Exception {
        assumeTrue(TmpfsMount.possible(), "mounting a small tmpfs needs root");
        Path root = ProcessCluster.freshFolder("cluster-state-it", test);
        try (TmpfsMount disk = TmpfsMount.mount(root.resolve("small-disk"), 48);
             ProcessCluster cluster = ProcessCluster.start(root, 0, LEASE, DRAIN_TIMEOUT)) {
            cluster.showLogsOnFailure(() -> {
                cluster.addWorker(null, null);
                int full = cluster.addWorker(null, disk.dir().resolve("worker"), "--store-failure-threshold", "1s");
                cluster.addWorker(null, null);
                String fullUrl = cluster.workerUrl(full);
                ProducerLoad load = ProducerLoad.start(cluster.balancerUri(), "df", 60, Duration.ofMillis(250));
                try {
                    load.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
                    List<ProducerLoad.Phone> victims = load.ackedBy(fullUrl);
                    assertThat(victims).isNotEmpty();

                    long filled = System.nanoTime();
                    long bytes = disk.fill();
                    long aside = ProcessCluster.awaitTrue(() -> {
                        JsonNode w = cluster.memberStatus(full);
                        return w != null && w.path("alive").asBoolean() && !w.path("assignable").asBoolean()
                                && w.path("store_failing_ms").asLong() > 0 ? System.nanoTime() : -1;
                    }, Duration.ofSeconds(30));
                    long moved = ProcessCluster.awaitTrue(() -> {
                        long latest = -1;
                        for (ProducerLoad.Phone p : victims) {
                            long at = p.firstAckAwayFrom(fullUrl, filled);
                            if (at < 0) {
                                return -1L;
                            }
                            latest = Math.max(latest, at);
                        }
                        return latest;
                    }, Duration.ofSeconds(30));
                    Map<String, String> whileFull = registerAll(cluster, "full", 12);
                    assertThat(whileFull.values()).as("new producers while the disk is full").doesNotContain(fullUrl);

                    disk.free();
                    long freed = System.nanoTime();
                    long back = ProcessCluster.awaitTrue(() -> {
                        JsonNode w = cluster.memberStatus(full);
                        return w != null && w.path("assignable").asBoolean() ? System.nanoTime() : -1;
                    }, Duration.ofSeconds(20));
                    Map<String, String> afterFree = registerAll(cluster, "freed", 12);
                    assertThat(afterFree.values()).as("new producers once space is freed").contains(fullUrl);
                    String newcomer = afterFree.entrySet().stream().filter(e -> e.getValue().equals(fullUrl))
                            .findFirst().orElseThrow().getKey();
                    HttpResponse<String> stored = ProcessCluster.send("POST", URI.create(fullUrl + "/api/v1/heartbeats"),
                            "{\"id\":\"" + newcomer + "\",\"seq\":1,\"location\":{\"lat\":1,\"lon\":1},\"data\":{}}");
                    assertThat(stored.statusCode()).as(stored.body()).isEqualTo(200);

                    Thread.sleep(1000);
                    load.stop();
                    cluster.killAll();
                    List<String> lost = StoreAudit.read(cluster.workerStores(), load.ids()).missing(load.acknowledged());
                    report("disk full: filled %d MiB; the worker stepped aside %d ms later, its %d producers were all "
                                    + "acknowledged elsewhere %d ms after the fill; 12 of 12 new producers went "
                                    + "elsewhere; assignable again %d ms after space was freed; %d of %d acknowledged "
                                    + "heartbeats lost",
                            bytes / (1024 * 1024), (aside - filled) / 1_000_000, victims.size(),
                            (moved - filled) / 1_000_000, (back - freed) / 1_000_000, lost.size(),
                            load.acknowledgedCount());
                    assertThat(lost).as("acknowledged heartbeats missing from every store").isEmpty();
                } finally {
                    load.stop();
                }
                return null;
            });
        }
    }

    /** Moves the producer away from {@code old} as a producer's failure report does; returns its new worker URL. */
    private static String move(ProcessCluster cluster, String id, String old) throws Exception {
        String path = "/api/v1/producers/" + id + "/assignment?failed=" + URLEncoder.encode(old, StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            HttpResponse<String> r = cluster.balancerRequest("POST", path, null);
            if (r.statusCode() == 200) {
                String next = JSON.readTree(r.body()).path("worker").asText();
                if (!next.equals(old)) {
                    return next;
                }
            } else if (r.statusCode() != 503 || System.nanoTime() > deadline) {
                throw new AssertionError("moving " + id + " answered " + r.statusCode() + " " + r.body());
            }
            sleep(100); // every other worker was just reported failing: wait for a renewal
        }
    }

    private static HttpResponse<String> heartbeat(String id, String workerUrl, Map<String, Long> seq) throws Exception {
        long n = seq.merge(id, 1L, Long::sum);
        return ProcessCluster.send("POST", URI.create(workerUrl + "/api/v1/heartbeats"),
                "{\"id\":\"" + id + "\",\"seq\":" + n + ",\"location\":{\"lat\":1,\"lon\":1},\"data\":{\"n\":" + n + "}}");
    }

    /** Sends heartbeats of {@code id} to {@code workerUrl} until one is answered {@code status}. */
    private static void awaitStatus(String id, String workerUrl, Map<String, Long> seq, int status, Duration timeout) {
        int[] last = {-1};
        org.awaitility.Awaitility.await(id + " answered " + status + " by " + workerUrl).atMost(timeout)
                .pollInterval(Duration.ofMillis(25)).pollDelay(Duration.ZERO).until(() -> {
                    last[0] = heartbeat(id, workerUrl, seq).statusCode();
                    return last[0] == status;
                });
    }

    private static Map<String, String> registerAll(ProcessCluster cluster, String prefix, int count) throws Exception {
        Map<String, String> workers = new HashMap<>();
        for (int i = 0; i < count; i++) {
            HttpResponse<String> r = cluster.balancerRequest("GET", "/register/" + prefix + i, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            workers.put(prefix + i, r.body().strip());
        }
        return workers;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void report(String format, Object... args) {
        System.out.println("[cluster-state-it] " + String.format(format, args));
    }
}
