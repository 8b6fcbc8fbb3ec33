package io.tophat.balancer;

import io.tophat.protocol.WorkerLoad;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each assignment strategy spreading 3,000 producers over 3 workers through a real {@link Balancer} (with its
 * SQLite state file), and what happens to the assignment when a worker dies.
 */
@Timeout(60)
class AssignmentStrategyTest {
    private static final int PRODUCERS = 3000;
    private static final Duration LONG_LEASE = Duration.ofMinutes(1);

    @TempDir
    Path dir;
    private Vertx vertx;
    private final List<Balancer> balancers = new ArrayList<>();

    @BeforeEach
    void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() throws Exception {
        balancers.forEach(Balancer::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void round_robin_spreads_three_thousand_producers_over_three_workers_within_one_of_even() throws Exception {
        Balancer balancer = balancer("rr", new RoundRobin(), "w1", "w2", "w3");
        Map<String, Integer> counts = counts(assignAll(balancer, producers()));
        System.out.println("round-robin: " + counts);
        assertWithinOneOfEven(counts);
    }

    @Test
    void least_loaded_spreads_three_thousand_producers_over_three_workers_within_one_of_even() throws Exception {
        Balancer balancer = balancer("ll", new LeastLoaded(), "w1", "w2", "w3");
        Map<String, Integer> counts = counts(assignAll(balancer, producers()));
        System.out.println("least-loaded: " + counts);
        assertWithinOneOfEven(counts);
    }

    @Test
    void least_loaded_sends_new_producers_to_the_worker_reporting_the_lowest_heartbeat_rate() throws Exception {
        Balancer balancer = balancer("ll-load", new LeastLoaded(), "w1", "w2", "w3");
        balancer.renew(workerId("w1"), renewal(load(50)));
        balancer.renew(workerId("w2"), renewal(load(10)));
        balancer.renew(workerId("w3"), renewal(load(50)));
        Map<String, Integer> counts = counts(assignAll(balancer, producers().subList(0, 300)));
        System.out.println("least-loaded with w2 at 10/s and the others at 50/s: " + counts);
        assertThat(counts).containsOnlyKeys(workerId("w2"));
    }

    @Test
    void hash_spreads_three_thousand_producers_over_three_workers_within_the_bound() throws Exception {
        Balancer balancer = balancer("hash", new RendezvousHash(BalancerConfig.DEFAULT_HASH_BALANCE), "w1", "w2", "w3");
        Map<String, Integer> counts = counts(assignAll(balancer, producers()));
        long bound = (long) Math.ceil((1 + BalancerConfig.DEFAULT_HASH_BALANCE) * PRODUCERS / 3.0);
        System.out.println("hash (e=0.25, bound " + bound + "): " + counts);
        assertThat(counts).hasSize(3);
        assertThat(counts.values()).allSatisfy(n -> assertThat((long) n).isLessThanOrEqualTo(bound));
    }

    @Test
    void hash_moves_only_the_dead_workers_producers_when_it_dies() throws Exception {
        Balancer balancer = balancer("hash-death", new RendezvousHash(BalancerConfig.DEFAULT_HASH_BALANCE), "w1", "w3");
        Worker doomed = new Worker(workerId("w2"), "http://" + workerId("w2"), "store-w2", false, 0);
        await(balancer.join(joining(doomed)));
        Map<String, String> before = assignAll(balancer, producers());
        assertThat(counts(before)).hasSize(3);

        balancer.member(doomed.id()).markDead();
        Map<String, String> after = assignAll(balancer, producers());

        int moved = 0;
        for (String producer : producers()) {
            if (before.get(producer).equals(doomed.id())) {
                assertThat(after.get(producer)).isNotEqualTo(doomed.id());
                moved++;
            } else {
                assertThat(after.get(producer)).as(producer).isEqualTo(before.get(producer));
            }
        }
        Map<String, Integer> survivors = counts(after);
        System.out.println("hash after w2 died: " + moved + " producers moved, now " + survivors);
        assertThat(moved).isEqualTo(counts(before).get(doomed.id()));
        long bound = (long) Math.ceil((1 + BalancerConfig.DEFAULT_HASH_BALANCE) * PRODUCERS / 2.0);
        assertThat(survivors.values()).allSatisfy(n -> assertThat((long) n).isLessThanOrEqualTo(bound));
    }

    @Test
    void two_independent_hash_balancers_with_the_same_live_workers_assign_each_producer_to_the_same_worker() throws Exception {
        Balancer first = balancer("hash-a", new RendezvousHash(BalancerConfig.DEFAULT_HASH_BALANCE), "w1", "w2", "w3");
        Balancer second = balancer("hash-b", new RendezvousHash(BalancerConfig.DEFAULT_HASH_BALANCE), "w3", "w1", "w2");
        assertThat(assignAll(second, producers())).isEqualTo(assignAll(first, producers()));
    }

    @Test
    void two_hash_balancers_seeing_producers_in_different_orders_still_agree_on_almost_all() throws Exception {
        Balancer first = balancer("hash-c", new RendezvousHash(BalancerConfig.DEFAULT_HASH_BALANCE), "w1", "w2", "w3");
        Balancer second = balancer("hash-d", new RendezvousHash(BalancerConfig.DEFAULT_HASH_BALANCE), "w1", "w2", "w3");
        List<String> shuffled = new ArrayList<>(producers());
        Collections.shuffle(shuffled, new Random(42));
        Map<String, String> a = assignAll(first, producers());
        Map<String, String> b = assignAll(second, shuffled);
        long agree = a.keySet().stream().filter(p -> a.get(p).equals(b.get(p))).count();
        System.out.printf("hash: two balancers, producers in different orders, agree on %d of %d (%.1f%%)%n",
                agree, PRODUCERS, 100.0 * agree / PRODUCERS);
        assertThat(agree).isGreaterThanOrEqualTo(PRODUCERS * 95L / 100);
    }

    @Test
    void a_producer_never_gets_back_the_worker_it_reported_failing_until_that_worker_renews() throws Exception {
        for (AssignmentStrategy strategy : List.of(new RoundRobin(), new LeastLoaded(),
                new RendezvousHash(BalancerConfig.DEFAULT_HASH_BALANCE))) {
            Balancer balancer = balancer("failed-" + strategy.name(), strategy, "w1", "w2", "w3");
            Assignment first = await(balancer.assign("p-1", null));
            String failedUrl = balancer.member(first.workerId()).url();
            for (int i = 0; i < 30; i++) {
                Assignment again = await(balancer.assign("p-" + i, failedUrl));
                assertThat(again.workerId()).as(strategy.name()).isNotEqualTo(first.workerId());
            }
            balancer.renew(first.workerId(), renewal(null));
            Map<String, Integer> later = counts(assignAll(balancer, producers().subList(100, 130)));
            assertThat(later).as(strategy.name() + " after the worker renewed").containsKey(first.workerId());
        }
    }

    // --- helpers --------------------------------------------------------------------------------------

    private Balancer balancer(String name, AssignmentStrategy strategy, String... workers) throws Exception {
        Balancer balancer = new Balancer(vertx, BalancerStore.open(dir.resolve(name).resolve("balancer.db"), false),
                strategy, LONG_LEASE);
        balancers.add(balancer);
        for (String w : workers) {
            await(balancer.join(joining(new Worker(workerId(w), "http://" + workerId(w), "store-" + w, false, 0))));
        }
        return balancer;
    }

    private static Balancer.Joining joining(Worker worker) {
        return new Balancer.Joining(worker, "proof-of-" + worker.store(), false, Map.of(), -1);
    }

    private static io.tophat.protocol.LeaseRenewal renewal(WorkerLoad load) {
        return new io.tophat.protocol.LeaseRenewal(load, null, null, 0, 0, null);
    }

    private static String workerId(String name) {
        return "127.0.0.1:" + (6000 + Integer.parseInt(name.substring(1)));
    }

    private static List<String> producers() {
        List<String> ids = new ArrayList<>(PRODUCERS);
        for (int i = 0; i < PRODUCERS; i++) {
            ids.add(Long.toString(356938035640000L + i));
        }
        return ids;
    }

    /** Registers every producer in order; returns producer -> worker id. */
    private static Map<String, String> assignAll(Balancer balancer, List<String> producers) throws Exception {
        Map<String, String> result = new HashMap<>();
        for (String p : producers) {
            result.put(p, await(balancer.assign(p, null)).workerId());
        }
        return result;
    }

    private static Map<String, Integer> counts(Map<String, String> assignment) {
        Map<String, Integer> counts = new TreeMap<>();
        assignment.values().forEach(w -> counts.merge(w, 1, Integer::sum));
        return counts;
    }

    private static void assertWithinOneOfEven(Map<String, Integer> counts) {
        assertThat(counts).hasSize(3);
        int even = PRODUCERS / 3;
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(even - 1, even + 1));
    }

    private static WorkerLoad load(double heartbeatsPerSecond) {
        return new WorkerLoad(0, heartbeatsPerSecond, 0, 0, null);
    }

    private static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
