package io.tophat.balancer;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class MembershipTest {
    private static final long MS = 1_000_000L;

    @Test
    void a_worker_that_stops_renewing_is_marked_dead_after_three_missed_leases() {
        Membership membership = new Membership(java.time.Duration.ofSeconds(1));
        long start = System.nanoTime();
        Member member = membership.join(new Worker("w1", "http://127.0.0.1:1", "store", false, 0));
        for (long t = 250; t <= 3000; t += 250) {
            assertThat(membership.expire(start + t * MS)).as("at %d ms", t).isEmpty();
        }
        assertThat(membership.expire(start + 3250 * MS)).containsExactly(member);
        assertThat(member.alive()).isFalse();
    }

    @Test
    void a_worker_whose_renewal_is_still_being_read_is_not_dead_and_its_lease_runs_from_when_it_was_read() {
        Membership membership = new Membership(java.time.Duration.ofSeconds(1));
        long start = System.nanoTime();
        Member member = membership.join(new Worker("w1", "http://127.0.0.1:1", "store", false, 0));
        member.readingRenewal(); // a report of a million producers arrives and takes seconds to read
        for (long t = 250; t <= 6000; t += 250) {
            assertThat(membership.expire(start + t * MS)).as("at %d ms, still reading", t).isEmpty();
        }
        member.renewalRead(start + 6000 * MS);
        for (long t = 6250; t <= 9000; t += 250) {
            assertThat(membership.expire(start + t * MS)).as("at %d ms", t).isEmpty();
        }
        assertThat(membership.expire(start + 9250 * MS)).as("three leases after the renewal was read")
                .containsExactly(member);
    }

    @Test
    void time_the_balancer_itself_was_held_up_is_not_counted_against_the_workers() {
        Membership membership = new Membership(java.time.Duration.ofSeconds(1));
        long start = System.nanoTime();
        Member member = membership.join(new Worker("w1", "http://127.0.0.1:1", "store", false, 0));
        assertThat(membership.expire(start + 250 * MS)).isEmpty();
        // the balancer's event loop is stalled for five seconds: no check runs, and no renewal could be read
        assertThat(membership.expire(start + 5250 * MS)).as("right after the stall").isEmpty();
        assertThat(member.alive()).isTrue();
        // from here the worker is silent for real: it is marked dead when its 3 s lease has run out, the stall
        // not counted (250 ms before the stall, 2750 ms after it)
        for (long t = 5500; t <= 7750; t += 250) {
            assertThat(membership.expire(start + t * MS)).as("at %d ms", t).isEmpty();
        }
        assertThat(membership.expire(start + 8000 * MS)).containsExactly(member);
    }
}
