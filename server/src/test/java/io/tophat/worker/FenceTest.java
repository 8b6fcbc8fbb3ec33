package io.tophat.worker;

import io.tophat.protocol.WorkerLease;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The fence alone: what lease answers revoke and grant, and how long it remembers. */
@Timeout(30)
class FenceTest {
    private static WorkerLease lease(Map<String, Long> revoked, Map<String, Long> granted) {
        return new WorkerLease("w", "http://127.0.0.1:1", 1000, 0, false, revoked, granted);
    }

    @Test
    void a_producer_moved_away_is_refused_with_the_epoch_of_its_move_until_it_is_granted_back() {
        Fence fence = new Fence();
        assertThat(fence.revokedEpoch("p")).isNull();

        fence.apply(lease(Map.of("p", 7L), Map.of()));
        assertThat(fence.revokedEpoch("p")).isEqualTo(7L);
        assertThat(fence.revokedEpoch("q")).isNull();

        fence.apply(lease(Map.of(), Map.of("p", 8L)));
        assertThat(fence.revokedEpoch("p")).isNull();
    }

    @Test
    void a_lease_with_nothing_moved_changes_nothing() {
        Fence fence = new Fence();
        fence.apply(lease(Map.of("p", 3L), Map.of()));
        fence.apply(lease(Map.of(), Map.of()));
        assertThat(fence.revokedEpoch("p")).isEqualTo(3L);
    }

    @Test
    void beyond_its_capacity_the_oldest_revocation_is_forgotten() {
        Fence fence = new Fence();
        fence.apply(lease(Map.of("first", 1L), Map.of()));
        java.util.Map<String, Long> many = new java.util.LinkedHashMap<>();
        for (int i = 0; i < Fence.CAPACITY; i++) {
            many.put("p" + i, 2L);
        }
        fence.apply(lease(many, Map.of()));
        assertThat(fence.revokedEpoch("first")).isNull();
        assertThat(fence.revokedEpoch("p" + (Fence.CAPACITY - 1))).isEqualTo(2L);
    }
}
