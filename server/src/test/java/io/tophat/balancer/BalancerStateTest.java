package io.tophat.balancer;

import io.tophat.protocol.LeaseRenewal;
import io.tophat.protocol.WorkerLease;
import io.tophat.store.StoreException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The balancer's state file and what it trusts: a lost, empty or corrupt file is refused unless recovering, a
 * removed one refuses changes, store identities must be proved, and workers' reports rebuild assignments.
 */
@Timeout(60)
class BalancerStateTest {
    @TempDir
    Path dir;

    private final Vertx vertx = Vertx.vertx();
    private final List<Balancer> opened = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        opened.forEach(Balancer::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Path stateFile() {
        return dir.resolve("balancer").resolve("balancer.db");
    }

    private Balancer open(boolean recover) {
        return open(recover, Duration.ofMinutes(1));
    }

    private Balancer open(boolean recover, Duration lease) {
        Balancer balancer = new Balancer(vertx, BalancerStore.open(stateFile(), recover), new RoundRobin(), lease);
        opened.add(balancer);
        return balancer;
    }

    private void closeAll() {
        opened.forEach(Balancer::close);
        opened.clear();
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static Balancer.Joining worker(int port, String store, String proof, Map<String, Long> holds) {
        String url = "http://127.0.0.1:" + port;
        return new Balancer.Joining(new Worker(Worker.idOf(url), url, store, false, 0), proof, false, holds, -1);
    }

    @Test
    void a_state_file_removed_since_it_was_there_is_refused_until_recover_starts_empty_on_purpose() throws Exception {
        Balancer first = open(false);
        await(first.join(worker(6001, "s1", "secret", Map.of())));
        await(first.assign("p", null));
        closeAll();
        Files.delete(stateFile());

        assertThatThrownBy(() -> open(false)).isInstanceOf(StoreException.class)
                .hasMessageContaining("is missing").hasMessageContaining("--recover");
        Balancer recovered = open(true);
        assertThat(recovered.assignments()).isEmpty();
        assertThat(recovered.membership().all()).isEmpty();
    }

    @Test
    void an_empty_or_corrupt_state_file_is_refused_and_recover_moves_it_aside_without_deleting_it() throws Exception {
        Files.createDirectories(stateFile().getParent());
        Files.write(stateFile(), new byte[0]);
        assertThatThrownBy(() -> open(false)).isInstanceOf(StoreException.class).hasMessageContaining("empty (0 bytes)");

        byte[] garbage = new byte[8192];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(stateFile(), garbage);
        assertThatThrownBy(() -> open(false)).isInstanceOf(StoreException.class).hasMessageContaining("balancer.db");

        open(true);
        try (Stream<Path> files = Files.list(stateFile().getParent())) {
            List<Path> aside = files.filter(p -> p.getFileName().toString().startsWith("balancer.db.lost-")).toList();
            assertThat(aside).hasSize(1);
            assertThat(Files.readAllBytes(aside.get(0))).isEqualTo(garbage);
        }
    }

    @Test
    void a_state_file_removed_while_running_makes_changes_fail_and_says_so() throws Exception {
        Balancer balancer = open(false);
        await(balancer.join(worker(6001, "s1", "secret", Map.of())));
        assertThat(balancer.stateProblem()).isNull();
        Files.delete(stateFile());
        assertThat(balancer.stateProblem()).contains("was removed");
        assertThatThrownBy(() -> await(balancer.assign("p", null))).hasCauseInstanceOf(StateWriteException.class)
                .hasMessageContaining("was removed");
    }

    @Test
    void a_store_identity_needs_its_proof_and_an_unshared_store_serves_one_live_worker() throws Exception {
        Balancer balancer = open(false);
        await(balancer.join(worker(6001, "s1", "secret", Map.of())));
        assertThatThrownBy(() -> balancer.join(worker(6002, "s1", "guess", Map.of())))
                .isInstanceOf(StoreClaims.Refused.class).hasMessageContaining("another proof");
        assertThatThrownBy(() -> balancer.join(worker(6002, "s1", "secret", Map.of())))
                .isInstanceOf(StoreClaims.Refused.class).hasMessageContaining("held by the live worker");
        assertThatThrownBy(() -> balancer.join(worker(6002, "s2", null, Map.of())))
                .isInstanceOf(StoreClaims.Refused.class).hasMessageContaining("store_proof");
        await(balancer.join(worker(6001, "s1", "secret", Map.of()))); // the same worker, again

        balancer.member("127.0.0.1:6001").markDead();
        await(balancer.join(worker(6002, "s1", "secret", Map.of())));
        closeAll();
        Balancer restarted = open(false);
        assertThatThrownBy(() -> restarted.join(worker(6003, "s1", "guess", Map.of())))
                .as("the proof's hash is kept across restarts").isInstanceOf(StoreClaims.Refused.class);
    }

    @Test
    void workers_reports_rebuild_the_assignments_and_the_later_epoch_wins_a_producer_reported_twice() throws Exception {
        Balancer balancer = open(false);
        await(balancer.join(worker(6001, "s1", "a", Map.of("p", 0L, "q", 40L, "r", 70L))));
        await(balancer.join(worker(6002, "s2", "b", Map.of("q", 90L, "r", 60L))));

        assertThat(balancer.assignments().get("p").workerId()).isEqualTo("127.0.0.1:6001");
        assertThat(balancer.assignments().get("q").workerId()).as("reported at 90 by 6002").isEqualTo("127.0.0.1:6002");
        assertThat(balancer.assignments().get("r").workerId()).as("reported at 70 by 6001").isEqualTo("127.0.0.1:6001");

        WorkerLease first = balancer.lease(balancer.member("127.0.0.1:6001"), null, 0);
        WorkerLease second = balancer.lease(balancer.member("127.0.0.1:6002"), null, 0);
        assertThat(first.revoked()).isEqualTo(Map.of("q", 90L));
        assertThat(first.granted()).containsKey("p");
        assertThat(second.revoked()).isEqualTo(Map.of("r", 70L));
        long newEpoch = balancer.assignments().get("p").epoch();
        assertThat(newEpoch).as("a new epoch above every reported one").isGreaterThan(90L);

        closeAll();
        Balancer restarted = open(false);
        assertThat(restarted.assignments().keySet()).containsExactlyInAnyOrder("p", "q", "r");
        WorkerLease asked = await(restarted.renew("127.0.0.1:6001", new LeaseRenewal(null, null, null, 0, 0, null)));
        assertThat(asked.report()).as("a worker remembered from the file is asked what it holds").isTrue();
        WorkerLease reported = await(restarted.renew("127.0.0.1:6001",
                new LeaseRenewal(null, asked.ackToken(), Map.of("p", newEpoch, "q", 40L), 0, 0, null)));
        assertThat(reported.report()).isFalse();
        assertThat(reported.revoked()).as("told again, though the old balancer's outbox is gone")
                .isEqualTo(Map.of("q", 90L));
        assertThat(reported.granted()).as("r is its own and it did not report it").isEqualTo(Map.of("r", 70L));
    }

    @Test
    void a_seed_worker_expires_like_any_other_unless_it_registers_again() throws Exception {
        Balancer balancer = open(false, Duration.ofMillis(100));
        Worker seed = new Worker("127.0.0.1:6009", "http://127.0.0.1:6009", null, true, 0);
        await(balancer.joinSeed(seed));
        for (int i = 0; i < 8; i++) {
            Thread.sleep(100);
            await(balancer.joinSeed(seed));
            assertThat(balancer.expireLeases()).as("renewed by registering again").isEmpty();
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> balancer.expireLeases().stream().anyMatch(m -> m.id().equals(seed.id())));
        assertThat(balancer.member(seed.id()).alive()).isFalse();
        await(balancer.joinSeed(seed));
        assertThat(balancer.member(seed.id()).alive()).as("registering again brings it back").isTrue();
    }
}
