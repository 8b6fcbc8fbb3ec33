package io.tophat.cluster;

import io.tophat.testing.JarProcess;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fault injection with real processes: a balancer and three workers from the fat jar, 100 real
 * {@code TopHatProducer}s and consumers in this JVM. A worker is SIGKILLed, frozen with SIGSTOP, drained, stopped
 * with SIGTERM; the balancer is SIGKILLed and restarted; two hash balancers are compared; a worker is started
 * without a balancer. Each test logs every acknowledged (producer, seq) and looks for it in the workers' stores
 * afterwards, checks every consumer redirect against the times the balancer held a worker dead, and prints the
 * figures it measured (lines starting with {@code [cluster-it]}). Process logs stay in {@code target/cluster-it/}.
 *
 * <p>Run alone (see docs/cluster.md):
 * {@code mvn -pl server verify -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ClusterFaultIT}.
 */
@Timeout(120)
class ClusterFaultIT {
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    /** Room for a loaded two-core machine on top of each bound the design promises. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final int PRODUCERS = 100;
    private static final Duration SEND_INTERVAL = Duration.ofMillis(500);


    @Test
    void a_sigkilled_workers_producers_move_within_three_lease_intervals_and_no_acknowledged_heartbeat_is_lost(TestInfo test)
            throws Exception {
        scenario(test, "k", scene -> {
            ProcessCluster cluster = scene.cluster();
            ProducerLoad load = scene.load();
            Consumers consumers = scene.consumers();
            ClusterWatch watch = new ClusterWatch(cluster);
            try {
                String deadUrl = cluster.workerUrl(1);
                String deadId = cluster.workerId(1);
                List<ProducerLoad.Phone> victims = load.ackedBy(deadUrl);
                assertThat(victims).isNotEmpty();

                Map<String, String> workerBefore = load.ackWorkers();
                long killed = System.nanoTime();
                cluster.worker(1).kill();

                long allCurrent = consumers.sweepUntilAllCurrent(id -> load.phone(id).lastAckedN, Duration.ofSeconds(10));
                long moved = awaitMovedAway(victims, deadUrl, killed, Duration.ofSeconds(15));
                long markedDead = ProcessCluster.awaitTrue(() -> watch.firstSeenDead(deadId, killed), Duration.ofSeconds(15));
                Thread.sleep(1500);
                consumers.close();
                watch.close();
                load.stop();
                cluster.killAll();

                StoreAudit audit = StoreAudit.read(cluster.workerStores(), load.ids());
                List<String> lost = audit.missing(load.acknowledged());
                List<Consumers.Redirect> redirects = consumers.redirects();
                List<Consumers.Redirect> toDead = redirectsWhileDead(redirects, watch, deadId);
                long afterDead = redirects.stream().filter(r -> r.startNanos() > markedDead).count();
                List<String> bystandersMoved = movedWithout(load, victims, workerBefore, killed);
                report("worker SIGKILL: %d of %d producers on the killed worker; all acknowledged by a live worker "
                                + "%d ms after the kill (median %d ms); balancer marked it dead after %d ms; consumers "
                                + "served current data for all %d producers after %d ms",
                        victims.size(), PRODUCERS, ms(moved - killed), medianMoveMs(victims, deadUrl, killed),
                        ms(markedDead - killed), PRODUCERS, allCurrent < 0 ? -1 : ms(allCurrent - killed));
                report("worker SIGKILL: %d heartbeats acknowledged, %d stored (a retried one may be on two "
                                + "workers), %d lost; %d redirects checked "
                                + "(%d after the worker was marked dead), %d to the dead worker while dead; "
                                + "%d producers of live workers moved; background reads %s",
                        load.acknowledgedCount(), audit.rows(), lost.size(), redirects.size(), afterDead, toDead.size(),
                        bystandersMoved.size(), consumers.outcomes());

                assertThat(ms(moved - killed)).as("failover ms").isLessThanOrEqualTo(bound(3));
                assertThat(ms(markedDead - killed)).as("dead detection ms").isLessThanOrEqualTo(bound(3));
                assertThat(allCurrent).as("consumers served current data for all producers").isPositive();
                assertThat(ms(allCurrent - killed)).as("consumer recovery ms").isLessThanOrEqualTo(5000);
                assertThat(lost).as("acknowledged heartbeats missing from every store").isEmpty();
                assertThat(afterDead).as("redirects after the worker was marked dead").isPositive();
                assertThat(toDead).as("redirects to the worker while the balancer held it dead").isEmpty();
                assertThat(bystandersMoved).as("producers of live workers that moved").isEmpty();
            } finally {
                watch.close();
            }
        }, "--strategy", "hash");
    }

    @Test
    void a_sigkilled_and_restarted_balancer_serves_consumers_again_within_one_lease_interval_while_producers_keep_sending(
            TestInfo test) throws Exception {
        scenario(test, "b", scene -> {
            ProcessCluster cluster = scene.cluster();
            ProducerLoad load = scene.load();
            Consumers consumers = scene.consumers();
            long reRegistered = load.reRegistrations();
            long ackedBefore = load.acknowledgedCount();
            Map<String, String> workerBefore = load.ackWorkers();

            long killed = System.nanoTime();
            cluster.balancer().kill();
            Thread.sleep(3 * LEASE.toMillis());
            load.awaitAllAcknowledgedAfter(killed + LEASE.toNanos(), Duration.ofSeconds(5));
            long ackedWhileDown = load.acknowledgedCount() - ackedBefore;
            long reRegisteredWhileDown = load.reRegistrations() - reRegistered;

            cluster.launchBalancer();
            long back = ProcessCluster.awaitTrue(() -> cluster.healthy() ? System.nanoTime() : -1, ProcessCluster.START_TIMEOUT);
            long firstServed = ProcessCluster.awaitTrue(() -> consumers.read(load.ids().get(0)).n() >= 0 ? System.nanoTime() : -1,
                    Duration.ofSeconds(10));
            long allCurrent = consumers.sweepUntilAllCurrent(id -> load.phone(id).lastAckedN, Duration.ofSeconds(10));
            long allAlive = ProcessCluster.awaitTrue(() -> allAlive(cluster) ? System.nanoTime() : -1, Duration.ofSeconds(10));
            JsonNode status = cluster.status();
            Thread.sleep(1000);
            load.stop();
            cluster.killAll();

            List<String> lost = StoreAudit.read(cluster.workerStores(), load.ids()).missing(load.acknowledged());
            List<String> moved = movedWithout(load, List.of(), workerBefore, killed);
            report("balancer SIGKILL: %d heartbeats acknowledged in the %d ms it was down, %d re-registrations, "
                            + "%d producers changed worker; "
                            + "after the restart the first consumer was served in %d ms, all %d producers current "
                            + "in %d ms, all 3 workers alive in %d ms; %d acknowledged heartbeats lost",
                    ackedWhileDown, 3 * LEASE.toMillis(), reRegisteredWhileDown, moved.size(),
                    ms(firstServed - back), PRODUCERS,
                    allCurrent < 0 ? -1 : ms(allCurrent - back), ms(allAlive - back), lost.size());

            assertThat(ackedWhileDown).as("heartbeats acknowledged while the balancer was down")
                    .isGreaterThanOrEqualTo(PRODUCERS * 2L);
            assertThat(reRegisteredWhileDown).as("producers that had to re-register").isZero();
            assertThat(moved).as("producers that changed worker").isEmpty();
            assertThat(ms(firstServed - back)).as("first consumer served after the restart, ms")
                    .isLessThanOrEqualTo(LEASE.toMillis());
            assertThat(allCurrent).as("consumers served current data for all producers").isPositive();
            assertThat(ms(allCurrent - back)).as("all producers served after the restart, ms")
                    .isLessThanOrEqualTo(bound(1));
            assertThat(status.path("producers").asInt()).isEqualTo(PRODUCERS);
            assertThat(lost).as("acknowledged heartbeats missing from every store").isEmpty();
        });
    }

    @Test
    void a_worker_frozen_with_sigstop_loses_its_producers_then_renews_and_refuses_the_moved_ones(TestInfo test) throws Exception {
        scenario(test, "s", scene -> {
            ProcessCluster cluster = scene.cluster();
            ProducerLoad load = scene.load();
            Consumers consumers = scene.consumers();
            ClusterWatch watch = new ClusterWatch(cluster);
            try {
                String frozenUrl = cluster.workerUrl(1);
                String frozenId = cluster.workerId(1);
                List<ProducerLoad.Phone> victims = load.ackedBy(frozenUrl);
                assertThat(victims).isNotEmpty();

                Map<String, String> workerBefore = load.ackWorkers();
                long stopped = System.nanoTime();
                cluster.worker(1).signal("STOP");
                Thread.sleep(5000);
                long movedBeforeCont = victims.stream().filter(p -> p.firstAckAwayFrom(frozenUrl, stopped) >= 0).count();
                long moved = awaitMovedAway(victims, frozenUrl, stopped, Duration.ZERO);
                long markedDead = watch.firstSeenDead(frozenId, stopped);
                long continued = System.nanoTime();
                cluster.worker(1).signal("CONT");

                long aliveAgain = ProcessCluster.awaitTrue(() -> watch.firstSeenAliveAgain(frozenId, stopped),
                        Duration.ofMillis(bound(3)));
                Thread.sleep(LEASE.toMillis() / 4);
                ProducerLoad.Phone moved0 = victims.get(0);
                HttpResponse<String> fenced = ProcessCluster.send("POST", URI.create(frozenUrl + "/heartbeat"),
                        "{\"id\":\"" + moved0.id + "\",\"seq\":1,\"location\":{\"lat\":1,\"lon\":1},\"data\":{\"n\":-1}}");
                JsonNode frozenStatus = cluster.memberStatus(1);

                Map<String, Long> seqAtSettle = new HashMap<>();
                load.phones().forEach(p -> seqAtSettle.put(p.id, p.lastAckedSeq));
                Thread.sleep(2000);
                long allCurrent = consumers.sweepUntilAllCurrent(id -> load.phone(id).lastAckedN, Duration.ofSeconds(5));
                consumers.close();
                watch.close();
                load.stop();
                cluster.killAll();

                StoreAudit audit = StoreAudit.read(cluster.workerStores(), load.ids());
                List<String> lost = audit.missing(load.acknowledged());
                Map<String, List<Path>> owners = new HashMap<>();
                for (String id : load.ids()) {
                    List<Path> holding = audit.holdingAbove(id, seqAtSettle.get(id));
                    if (holding.size() != 1) {
                        owners.put(id, holding);
                    }
                }
                List<Consumers.Redirect> toDead = redirectsWhileDead(consumers.redirects(), watch, frozenId);
                List<String> bystandersMoved = movedWithout(load, victims, workerBefore, stopped);
                report("worker SIGSTOP 5 s: %d of %d producers on it; %d moved before SIGCONT, all acknowledged "
                                + "elsewhere %d ms after SIGSTOP (median %d ms); marked dead after %d ms; alive "
                                + "again %d ms after SIGCONT; a moved producer's heartbeat to it answered %d; "
                                + "the balancer counts %s producers on it",
                        victims.size(), PRODUCERS, movedBeforeCont, moved < 0 ? -1 : ms(moved - stopped),
                        medianMoveMs(victims, frozenUrl, stopped), markedDead < 0 ? -1 : ms(markedDead - stopped),
                        ms(aliveAgain - continued), fenced.statusCode(),
                        frozenStatus == null ? "?" : frozenStatus.path("producers").asText());
                report("worker SIGSTOP 5 s: %d heartbeats acknowledged, %d lost; %d producers whose heartbeats "
                                + "after settling are not on exactly one worker; %d redirects to it while dead; "
                                + "%d producers of other workers moved; background reads %s",
                        load.acknowledgedCount(), lost.size(), owners.size(), toDead.size(), bystandersMoved.size(),
                        consumers.outcomes());

                assertThat(movedBeforeCont).as("producers that moved while the worker was frozen")
                        .isEqualTo(victims.size());
                assertThat(markedDead).as("marked dead while frozen").isPositive();
                assertThat(ms(markedDead - stopped)).isLessThanOrEqualTo(bound(3));
                assertThat(fenced.statusCode()).as("heartbeat of a moved producer: " + fenced.body()).isEqualTo(409);
                assertThat(frozenStatus.path("alive").asBoolean()).isTrue();
                assertThat(frozenStatus.path("producers").asInt()).isZero();
                assertThat(lost).as("acknowledged heartbeats missing from every store").isEmpty();
                assertThat(owners).as("producers whose newest heartbeats are on more or fewer than one worker")
                        .isEmpty();
                assertThat(toDead).as("redirects to the worker while the balancer held it dead").isEmpty();
                assertThat(allCurrent).as("consumers served current data for all producers").isPositive();
                assertThat(bystandersMoved).as("producers of other workers that moved").isEmpty();
            } finally {
                watch.close();
            }
        }, "--strategy", "least-loaded");
    }

    @Test
    void a_worker_drained_through_the_balancer_or_stopped_with_sigterm_moves_its_producers_leaves_and_exits_zero(TestInfo test)
            throws Exception {
        scenario(test, "d", scene -> {
            ProcessCluster cluster = scene.cluster();
            ProducerLoad load = scene.load();
            Consumers consumers = scene.consumers();
            String drainedUrl = cluster.workerUrl(1);
            List<ProducerLoad.Phone> drainedVictims = load.ackedBy(drainedUrl);
            assertThat(drainedVictims).isNotEmpty();

            Map<String, String> beforeDrain = load.ackWorkers();
            long asked = System.nanoTime();
            HttpResponse<String> drain = cluster.balancerRequest("POST",
                    "/api/v1/workers/" + cluster.workerId(1) + "/drain", null);
            int drainExit = cluster.worker(1).waitFor(DRAIN_TIMEOUT.plus(LEASE).plus(SLACK));
            long drainExited = System.nanoTime();
            long drainMoved = awaitMovedAway(drainedVictims, drainedUrl, asked, Duration.ofSeconds(5));
            JsonNode drainedStatus = cluster.memberStatus(1);
            long allCurrent = consumers.sweepUntilAllCurrent(id -> load.phone(id).lastAckedN, Duration.ofSeconds(5));
            List<String> movedByDrain = movedWithout(load, drainedVictims, beforeDrain, asked);

            String stoppedUrl = cluster.workerUrl(2);
            List<ProducerLoad.Phone> stoppedVictims = load.ackedBy(stoppedUrl);
            Map<String, String> beforeTerm = load.ackWorkers();
            long termed = System.nanoTime();
            int termExit = cluster.worker(2).terminate(DRAIN_TIMEOUT.plus(LEASE).plus(SLACK));
            long termExited = System.nanoTime();
            long termMoved = awaitMovedAway(stoppedVictims, stoppedUrl, termed, Duration.ofSeconds(5));
            JsonNode stoppedStatus = cluster.memberStatus(2);
            List<String> movedByTerm = movedWithout(load, stoppedVictims, beforeTerm, termed);
            Thread.sleep(500);
            load.stop();
            cluster.killAll();

            List<String> lost = StoreAudit.read(cluster.workerStores(), load.ids()).missing(load.acknowledged());
            report("drain: answered %d; its %d producers acknowledged elsewhere %d ms after the request; the "
                            + "worker exited %d after %d ms (--drain-timeout %d ms); %d producers of other "
                            + "workers moved",
                    drain.statusCode(), drainedVictims.size(), drainMoved < 0 ? -1 : ms(drainMoved - asked),
                    drainExit, ms(drainExited - asked), DRAIN_TIMEOUT.toMillis(), movedByDrain.size());
            report("SIGTERM: its %d producers acknowledged elsewhere %d ms after the signal; the worker exited "
                            + "%d after %d ms; %d producers of other workers moved; %d acknowledged heartbeats lost "
                            + "over both", stoppedVictims.size(), termMoved < 0 ? -1 : ms(termMoved - termed),
                    termExit, ms(termExited - termed), movedByTerm.size(), lost.size());

            assertThat(drain.statusCode()).isEqualTo(200);
            assertThat(drain.body()).contains("\"draining\":true");
            assertThat(drainExit).as("exit code after a drain request").isZero();
            assertThat(ms(drainExited - asked)).isLessThanOrEqualTo(DRAIN_TIMEOUT.toMillis());
            assertThat(drainMoved).as("all its producers acknowledged elsewhere").isNotEqualTo(-1)
                    .isLessThan(drainExited);
            assertThat(movedByDrain).as("producers of other workers that moved").isEmpty();
            assertThat(drainedStatus).as("the drained worker left the balancer").isNull();
            assertThat(cluster.worker(1).output()).contains("left the balancer");
            assertThat(allCurrent).as("consumers served current data for all producers").isPositive();
            assertThat(lost).as("acknowledged heartbeats missing from every store").isEmpty();

            assertThat(stoppedVictims).isNotEmpty();
            assertThat(termMoved).as("all its producers acknowledged elsewhere").isNotEqualTo(-1)
                    .isLessThan(termExited);
            assertThat(movedByTerm).as("producers of other workers that moved").isEmpty();
            assertThat(stoppedStatus).as("the stopped worker left the balancer").isNull();
            assertThat(cluster.worker(2).output()).contains("left the balancer");
            assertThat(termExit).as("exit code after SIGTERM (143 is the JVM's own exit code for a shutdown by "
                    + "signal: the shutdown hook must end the process with 0 after a clean stop)").isZero();
        });
    }

    @Test
    void two_hash_balancers_that_see_the_same_workers_assign_every_producer_to_the_same_worker_also_after_a_failure(TestInfo test)
            throws Exception {
        try (ProcessCluster cluster = ProcessCluster.start(ProcessCluster.freshFolder("cluster-it", test), 2, 3, LEASE, DRAIN_TIMEOUT, "--strategy", "hash")) {
            cluster.showLogsOnFailure(() -> {
                for (int b = 0; b < 2; b++) {
                    int balancer = b;
                    ProcessCluster.awaitTrue(() -> leasedAndAlive(cluster, balancer) == 3 ? 1L : -1L, Duration.ofSeconds(10));
                }
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < PRODUCERS; i++) {
                    ids.add("h" + i);
                }
                Map<String, String> first = registerAll(cluster, 0, ids, null);
                Map<String, String> second = registerAll(cluster, 1, ids, null);
                assertThat(second).isEqualTo(first);

                String failed = cluster.workerUrl(1);
                List<String> onFailed = ids.stream().filter(id -> first.get(id).equals(failed)).toList();
                Map<String, String> firstAfter = registerAll(cluster, 0, onFailed, failed);
                Map<String, String> secondAfter = registerAll(cluster, 1, onFailed, failed);
                Map<String, Long> spread = new java.util.TreeMap<>();
                first.values().forEach(w -> spread.merge(w, 1L, Long::sum));
                report("two hash balancers: %d producers assigned alike by both %s; the %d of the worker reported "
                        + "failing moved alike: %s", PRODUCERS, spread, onFailed.size(), secondAfter.equals(firstAfter));

                assertThat(onFailed).isNotEmpty();
                assertThat(secondAfter).isEqualTo(firstAfter);
                assertThat(firstAfter.values()).doesNotContain(failed);
                assertThat(registerAll(cluster, 1, ids, null)).as("the others keep their worker")
                        .containsAllEntriesOf(without(first, onFailed));
                return null;
            });
        }
    }

    @Test
    void a_worker_whose_balancer_cannot_be_reached_exits_non_zero_with_one_line_naming_the_address(TestInfo test) throws Exception {
        int nobody = JarProcess.freePort();
        Path dir = ProcessCluster.freshFolder("cluster-it", test);
        try (JarProcess worker = JarProcess.start(dir, "worker", List.of("worker", "--host", "127.0.0.1",
                "--port", "" + JarProcess.freePort(), "--balancer", "127.0.0.1:" + nobody,
                "--data-dir", dir.resolve("worker").toString()))) {
            long started = System.nanoTime();
            int exit = worker.waitFor(Duration.ofSeconds(60));
            List<String> lines = worker.output().lines().filter(l -> !l.isBlank()).toList();
            String last = lines.isEmpty() ? "" : lines.get(lines.size() - 1);
            report("unreachable balancer: exit %d after %d ms, last line: %s", exit, ms(System.nanoTime() - started), last);

            assertThat(exit).isNotZero();
            assertThat(last).startsWith("worker: ").contains("127.0.0.1:" + nobody).contains("balancer");
            assertThat(worker.output()).doesNotContain("\tat ");
        }
    }

    // --- helpers --------------------------------------------------------------------------------------

    /** What a fault scenario runs on: a cluster of real processes, producers sending, consumers reading. */
    private record Scene(ProcessCluster cluster, ProducerLoad load, Consumers consumers) {
    }

    @FunctionalInterface
    private interface SceneBody {
        void run(Scene scene) throws Exception;
    }

    /**
     * The skeleton every fault scenario shares: three workers and a balancer (started with {@code balancerArgs}),
     * {@link #PRODUCERS} producers with ids starting {@code prefix}, two background consumers, a warm-up, then
     * {@code body}; the logs are shown when it fails, and load and consumers are stopped whatever happens.
     */
    private void scenario(TestInfo test, String prefix, SceneBody body, String... balancerArgs) throws Exception {
        try (ProcessCluster cluster = ProcessCluster.start(ProcessCluster.freshFolder("cluster-it", test), 3, LEASE, DRAIN_TIMEOUT, balancerArgs)) {
            cluster.showLogsOnFailure(() -> {
                ProducerLoad load = ProducerLoad.start(cluster.balancerUri(), prefix, PRODUCERS, SEND_INTERVAL);
                Consumers consumers = new Consumers(cluster.balancerUri(), load.ids());
                try {
                    warmUp(load, consumers);
                    body.run(new Scene(cluster, load, consumers));
                } finally {
                    consumers.close();
                    load.stop();
                }
                return null;
            });
        }
    }

    /** Waits until every producer is acknowledged, starts two background consumers, and lets it all run a second. */
    private static void warmUp(ProducerLoad load, Consumers consumers) throws InterruptedException {
        load.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
        consumers.startReaders(2, Duration.ofMillis(10));
        Thread.sleep(1000);
    }

    /**
     * Waits until every producer was acknowledged by another worker after {@code sinceNanos}; returns the latest
     * such time, or -1 when that did not happen within {@code timeout} (zero: looks once).
     */
    private static long awaitMovedAway(List<ProducerLoad.Phone> phones, String worker, long sinceNanos, Duration timeout) {
        Callable<Long> allMoved = () -> {
            long latest = -1;
            for (ProducerLoad.Phone p : phones) {
                long at = p.firstAckAwayFrom(worker, sinceNanos);
                if (at < 0) {
                    return -1L;
                }
                latest = Math.max(latest, at);
            }
            return latest;
        };
        try {
            return timeout.isZero() ? allMoved.call() : ProcessCluster.awaitTrue(allMoved, timeout);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return -1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Producers other than {@code expected} that were acknowledged by another worker than before after {@code sinceNanos}. */
    private static List<String> movedWithout(ProducerLoad load, List<ProducerLoad.Phone> expected,
                                             Map<String, String> workerBefore, long sinceNanos) {
        return load.phones().stream().filter(p -> !expected.contains(p))
                .filter(p -> p.firstAckAwayFrom(workerBefore.get(p.id), sinceNanos) >= 0)
                .map(p -> p.id + " from " + workerBefore.get(p.id) + " to " + p.ackWorker).toList();
    }

    private static long medianMoveMs(List<ProducerLoad.Phone> phones, String worker, long sinceNanos) {
        List<Long> times = phones.stream().map(p -> p.firstAckAwayFrom(worker, sinceNanos)).filter(t -> t >= 0)
                .map(t -> ms(t - sinceNanos)).sorted().toList();
        return times.isEmpty() ? -1 : times.get(times.size() / 2);
    }

    /** Registers each producer at the balancer with this index; returns producer to worker URL. */
    private static Map<String, String> registerAll(ProcessCluster cluster, int balancer, List<String> ids, String failed)
            throws Exception {
        Map<String, String> workers = new HashMap<>();
        for (String id : ids) {
            String path = "/register/" + id + (failed == null ? ""
                    : "?failed=" + java.net.URLEncoder.encode(failed, java.nio.charset.StandardCharsets.UTF_8));
            HttpResponse<String> r = ProcessCluster.send("GET", cluster.balancerUri(balancer).resolve(path), null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            workers.put(id, r.body().strip());
        }
        return workers;
    }

    private static int leasedAndAlive(ProcessCluster cluster, int balancer) {
        try {
            int n = 0;
            for (JsonNode w : cluster.status(balancer).path("workers")) {
                n += w.path("alive").asBoolean() && "v1".equals(w.path("registered_by").asText()) ? 1 : 0;
            }
            return n;
        } catch (Exception e) {
            return -1;
        }
    }

    private static boolean allAlive(ProcessCluster cluster) {
        try {
            JsonNode workers = cluster.status().path("workers");
            int alive = 0;
            for (JsonNode w : workers) {
                alive += w.path("alive").asBoolean() ? 1 : 0;
            }
            return alive == cluster.workerCount();
        } catch (Exception e) {
            return false;
        }
    }

    private static List<Consumers.Redirect> redirectsWhileDead(List<Consumers.Redirect> redirects, ClusterWatch watch,
                                                               String workerId) {
        List<ClusterWatch.DeadWindow> windows = watch.deadWindows(workerId);
        return redirects.stream().filter(r -> r.workerId().equals(workerId))
                .filter(r -> windows.stream().anyMatch(w -> w.covers(r.startNanos(), r.endNanos()))).toList();
    }

    private static Map<String, String> without(Map<String, String> map, List<String> keys) {
        Map<String, String> rest = new HashMap<>(map);
        keys.forEach(rest::remove);
        return rest;
    }

    /** {@code intervals} lease intervals plus the slack, in ms. */
    private static long bound(int intervals) {
        return intervals * LEASE.toMillis() + SLACK.toMillis();
    }

    private static long ms(long nanos) {
        return nanos / 1_000_000;
    }

    private static void report(String format, Object... args) {
        System.out.println("[cluster-it] " + String.format(format, args));
    }
}
