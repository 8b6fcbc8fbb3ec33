package io.tophat.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.bench.Generator;
import io.tophat.testing.StandardOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;


import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code tophat bench register}, end to end and small: a balancer and two workers as processes from the jar, wrk
 * registering 20,000 new producers, a SIGKILL, a new balancer on the same state. What an operator reads in its
 * JSON: that many registered, none lost through the kill, the balancer's heap and its time back. Skipped where
 * wrk is not installed (CI installs it, see .ci/run).
 */
@Timeout(180)
class RegisterBenchIT {

    @Test
    void registers_the_producers_keeps_every_acknowledged_one_through_a_sigkill_and_redirects_again() throws Exception {
        assumeTrue(Generator.WRK.find(System.getenv("PATH")).isPresent(),
                "wrk is not installed (apt-get install wrk): bench register is skipped");
        JsonNode report = new ObjectMapper().readTree(StandardOutput.ofTophat("bench", "register", "--producers",
                "20000", "--workers", "2", "--connections", "64", "--json"));

        String text = report.toString();
        JsonNode register = find(report, "restart_to_redirect_ms");
        assertThat(register).as(text).isNotNull();
        long registered = register.path("registered").asLong();
        assertThat(registered).as("wrk's 200 answers, stopped at the count").isBetween(20_000L, 20_000L + 64);
        assertThat(register.path("held_before_kill").asLong()).isGreaterThanOrEqualTo(registered + 1);
        assertThat(register.path("held_after_restart").asLong()).as("nothing acknowledged lost through the SIGKILL")
                .isEqualTo(register.path("held_before_kill").asLong());
        assertThat(register.path("restart_to_redirect_ms").asLong()).isPositive();
        assertThat(register.path("live_heap_bytes").asLong()).as("jcmd's class histogram of the balancer")
                .isPositive();
        assertThat(register.path("failed").asLong()).isZero();
    }

    /** The first object in {@code node} that has {@code field}. */
    private static JsonNode find(JsonNode node, String field) {
        if (node.has(field)) {
            return node;
        }
        for (JsonNode child : node) {
            JsonNode found = find(child, field);
            if (found != null) {
                return found;
            }
        }
        return null;
    }
}
