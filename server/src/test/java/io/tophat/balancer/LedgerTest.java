package io.tophat.balancer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Transfers stay in a worker's outbox until it acknowledges an answer that carried them. */
@Timeout(30)
class LedgerTest {

    private static Assignment at(String producer, String worker, long epoch) {
        return new Assignment(producer, worker, epoch, 0);
    }

    @Test
    void a_revocation_is_sent_in_every_answer_until_the_worker_acknowledges_one_that_carried_it() {
        Ledger ledger = new Ledger();
        Assignment first = at("p", "old", 1);
        ledger.moved(null, first);
        ledger.moved(first, at("p", "new", 2));

        Ledger.Outbox lost = ledger.outbox("old", null);
        Ledger.Outbox stolen = ledger.outbox("old", null);
        assertThat(lost.revoked()).isEqualTo(Map.of("p", 2L));
        assertThat(stolen.revoked()).as("an answer read by another caller takes nothing away").isEqualTo(Map.of("p", 2L));

        Ledger.Outbox applied = ledger.outbox("old", null);
        assertThat(ledger.outbox("old", applied.ackToken()).revoked()).as("acknowledged").isEmpty();
        assertThat(ledger.outbox("new", null).granted()).isEqualTo(Map.of("p", 2L));
    }

    @Test
    void an_acknowledgement_covers_only_what_its_answer_carried() {
        Ledger ledger = new Ledger();
        ledger.moved(null, at("a", "w", 1));
        String token = ledger.outbox("w", null).ackToken();
        ledger.moved(null, at("b", "w", 2));
        assertThat(ledger.outbox("w", token).granted()).as("b came after the acknowledged answer")
                .isEqualTo(Map.of("b", 2L));
    }

    @Test
    void a_token_of_another_balancer_run_or_a_forged_one_acknowledges_nothing() {
        Ledger before = new Ledger();
        before.moved(null, at("x", "w", 1));
        String oldToken = before.outbox("w", null).ackToken();

        Ledger ledger = new Ledger();
        ledger.moved(null, at("p", "w", 5));
        for (String token : new String[]{oldToken, "garbage", ".", "x.9", oldToken.split("\\.")[0] + ".99999", ""}) {
            assertThat(ledger.outbox("w", token).granted()).as("token %s", token).isEqualTo(Map.of("p", 5L));
        }
    }

    @Test
    void a_producer_moved_back_and_forth_leaves_one_entry_per_worker_with_the_latest_move() {
        Ledger ledger = new Ledger();
        Assignment a1 = at("p", "a", 1);
        Assignment b2 = at("p", "b", 2);
        Assignment a3 = at("p", "a", 3);
        ledger.moved(null, a1);
        ledger.moved(a1, b2);
        ledger.moved(b2, a3);
        assertThat(ledger.outbox("a", null).granted()).isEqualTo(Map.of("p", 3L));
        assertThat(ledger.outbox("a", null).revoked()).isEmpty();
        assertThat(ledger.outbox("b", null).revoked()).isEqualTo(Map.of("p", 3L));
        assertThat(ledger.held("a")).isEqualTo(1);
        assertThat(ledger.held("b")).isZero();
    }
}
