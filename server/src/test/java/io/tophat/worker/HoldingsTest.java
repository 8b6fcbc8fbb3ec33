package io.tophat.worker;

import io.tophat.protocol.WorkerLease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What lease answers revoke and grant, applied by epoch, and what the worker then reports holding. */
@Timeout(30)
class HoldingsTest {
    private static WorkerLease lease(Map<String, Long> revoked, Map<String, Long> granted) {
        return new WorkerLease("w", "http://127.0.0.1:1", 1000, 0, false, true, revoked, granted, "run.1", false, 0, null);
    }

    @Test
    void a_producer_moved_away_is_refused_with_the_epoch_of_its_move_until_it_is_granted_back_later() {
        Holdings holdings = new Holdings();
        assertThat(holdings.admit("p")).isNull();

        holdings.apply(lease(Map.of("p", 7L), Map.of()));
        assertThat(holdings.admit("p")).isEqualTo(7L);
        assertThat(holdings.admit("q")).isNull();

        holdings.apply(lease(Map.of(), Map.of("p", 8L)));
        assertThat(holdings.admit("p")).isNull();
    }

    @Test
    void an_answer_applied_again_or_late_never_undoes_a_later_transfer() {
        Holdings holdings = new Holdings();
        WorkerLease movedAway = lease(Map.of("p", 5L), Map.of());
        WorkerLease grantedBack = lease(Map.of(), Map.of("p", 9L));
        holdings.apply(movedAway);
        holdings.apply(grantedBack);
        holdings.apply(movedAway);
        assertThat(holdings.admit("p")).as("the revocation at 5 came again after the grant at 9").isNull();

        holdings.apply(lease(Map.of("p", 12L), Map.of()));
        holdings.apply(grantedBack);
        assertThat(holdings.admit("p")).as("the grant at 9 came again after the revocation at 12").isEqualTo(12L);
    }

    @Test
    void the_report_lists_producers_granted_or_seen_here_and_not_those_moved_away() {
        Holdings holdings = new Holdings();
        holdings.admit("seen");
        holdings.apply(lease(Map.of("gone", 4L), Map.of("kept", 3L)));
        assertThat(holdings.held()).isEqualTo(Map.of("seen", 0L, "kept", 3L));
    }

    @Test
    void the_fence_refuses_a_producer_any_balancer_moved_away() {
        Holdings a = new Holdings();
        Holdings b = new Holdings();
        Fence fence = new Fence();
        fence.add(a);
        fence.add(b);
        b.apply(lease(Map.of("p", 2L), Map.of()));
        assertThat(fence.admit("p")).isEqualTo(2L);
        assertThat(fence.admit("q")).isNull();
        assertThat(a.held()).containsKey("q");
        assertThat(b.held()).containsKey("q");
    }
}
