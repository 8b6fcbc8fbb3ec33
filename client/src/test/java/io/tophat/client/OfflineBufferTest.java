package io.tophat.client;

import io.tophat.protocol.Location;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class OfflineBufferTest {

    private static OutgoingHeartbeat heartbeat(long seq) {
        return new OutgoingHeartbeat("3000", seq, 0, Location.of(56.34, -2.79), "{}");
    }

    @Test
    void a_full_buffer_drops_the_oldest_heartbeat_and_counts_it() {
        OfflineBuffer buffer = new OfflineBuffer(2);
        OutgoingHeartbeat first = heartbeat(1);

        assertThat(buffer.add(first)).isNull();
        assertThat(buffer.add(heartbeat(2))).isNull();
        assertThat(buffer.add(heartbeat(3))).isSameAs(first);

        assertThat(buffer.size()).isEqualTo(2);
        assertThat(buffer.dropped()).isEqualTo(1);
        assertThat(buffer.peek().seq()).isEqualTo(2);
    }

    @Test
    void heartbeats_leave_in_the_order_they_came() {
        OfflineBuffer buffer = new OfflineBuffer(10);
        for (long seq = 1; seq <= 5; seq++) {
            buffer.add(heartbeat(seq));
        }
        for (long seq = 1; seq <= 5; seq++) {
            OutgoingHeartbeat head = buffer.claimHead();
            assertThat(head.seq()).isEqualTo(seq);
            buffer.settle(head);
        }
        assertThat(buffer.peek()).isNull();
    }

    @Test
    void the_heartbeat_being_sent_is_never_dropped_and_does_not_count_against_the_capacity() {
        OfflineBuffer buffer = new OfflineBuffer(2);
        buffer.add(heartbeat(1));
        buffer.add(heartbeat(2));
        OutgoingHeartbeat inFlight = buffer.claimHead();

        assertThat(buffer.add(heartbeat(3))).isNull();
        assertThat(buffer.add(heartbeat(4)).seq()).isEqualTo(2);
        assertThat(buffer.size()).isEqualTo(3);

        buffer.settle(inFlight);
        assertThat(buffer.peek().seq()).isEqualTo(3);
        assertThat(buffer.add(heartbeat(5)).seq()).isEqualTo(3);
    }

    @Test
    void a_released_heartbeat_stays_first_and_may_be_dropped_again() {
        OfflineBuffer buffer = new OfflineBuffer(1);
        buffer.add(heartbeat(1));
        buffer.claimHead();
        buffer.release();

        assertThat(buffer.add(heartbeat(2)).seq()).isEqualTo(1);
        assertThat(buffer.size()).isEqualTo(1);
        assertThat(buffer.dropped()).isEqualTo(1);
    }
}
