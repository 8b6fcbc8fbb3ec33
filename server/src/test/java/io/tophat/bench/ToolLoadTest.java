package io.tophat.bench;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wrk and ab commands a plan becomes (nothing is run). */
class ToolLoadTest {
    private static final URI WORKER = URI.create("http://127.0.0.1:6001");
    private static final ProducerIds IDS = ProducerIds.bench(500);

    private static LoadPlan plan(RequestMix mix) {
        return new LoadPlan("run", WORKER, mix, 256, 2, true, Duration.ofSeconds(5), Duration.ofSeconds(30), 0, 0,
                Duration.ofMillis(2500), Duration.ZERO);
    }

    @Test
    void wrk_asks_for_the_first_producer_s_path_for_the_given_time_in_whole_seconds() {
        try (ToolLoad wrk = new ToolLoad(Generator.WRK, false)) {
            LoadPlan plan = plan(RequestMix.get(IDS.each("/get_data/%s")));

            assertThat(wrk.command(plan, plan.duration())).containsExactly("wrk", "-t2", "-c256", "-d30s",
                    "--timeout", "3s", "--latency", "http://127.0.0.1:6001/get_data/1000000");
            assertThat(wrk.command(plan.withKeepAlive(false), Duration.ofSeconds(5)))
                    .containsSubsequence("-d5s", "-H", "Connection: close");
        }
    }

    @Test
    void wrk_posts_heartbeats_over_the_plan_s_producers_with_the_jar_s_script_and_the_reference_the_same_body() {
        try (ToolLoad wrk = new ToolLoad(Generator.WRK, false)) {
            HeartbeatMix heartbeats = new HeartbeatMix(IDS, HeartbeatMix.seqBaseNow());
            List<String> command = wrk.command(plan(heartbeats), Duration.ofSeconds(30));

            assertThat(command).containsSubsequence("-s", "http://127.0.0.1:6001/heartbeat", "--", "1000000", "500");
            String script = command.get(command.indexOf("-s") + 1);
            assertThat(script).endsWith("heartbeat.lua");
            assertThat(Path.of(script)).content().contains("function response(status")
                    .contains("acknowledged: %d");

            LoadPlan reference = plan(heartbeats).withTarget("reference", URI.create("http://127.0.0.1:8080"),
                    RequestMix.sameShapeTo(heartbeats, "/ok"));
            List<String> same = wrk.command(reference, Duration.ofSeconds(30));
            assertThat(same.get(same.indexOf("-s") + 1)).endsWith("same-body.lua");
            assertThat(same).endsWith("http://127.0.0.1:8080/ok");
        }
    }

    @Test
    void wrk_registers_new_producers_with_the_jar_s_registration_script_from_the_run_s_first_id_to_its_limit() {
        try (ToolLoad wrk = new ToolLoad(Generator.WRK, false)) {
            List<String> command = wrk.command(plan(new RegistrationMix(20_000_000_000L, 5000)), Duration.ofSeconds(10));

            assertThat(command).containsSubsequence("-d10s", "-s", "http://127.0.0.1:6001/register/20000000001", "--",
                    "20000000000", "5000");
            String script = command.get(command.indexOf("-s") + 1);
            assertThat(script).endsWith("register.lua");
            assertThat(Path.of(script)).content().contains("/register/%d").contains("wrk.thread:stop()")
                    .contains("acknowledged: %d");
        }
    }

    @Test
    void ab_sends_the_plan_s_requests_with_keep_alive_as_minus_k() {
        try (ToolLoad ab = new ToolLoad(Generator.AB, true)) {
            LoadPlan plan = plan(RequestMix.get(IDS.each("/get_data/%s"))).withRequests(3000);

            assertThat(ab.command(plan, plan.duration())).containsExactly("ab", "-r", "-s", "3", "-n", "3000", "-c",
                    "256", "-k", "http://127.0.0.1:6001/get_data/1000000");
            assertThat(ab.command(plan.withKeepAlive(false), plan.duration())).doesNotContain("-k");
            assertThatThrownBy(() -> ab.command(plan(new HeartbeatMix(IDS, HeartbeatMix.seqBaseNow())).withRequests(10),
                    plan.duration())).hasMessageContaining("GET requests");
        }
    }

    @Test
    void a_command_is_printed_as_one_would_type_it() {
        assertThat(ToolRun.line(List.of("wrk", "-H", "Connection: close", "http://h:1/a?b=c")))
                .isEqualTo("wrk -H 'Connection: close' 'http://h:1/a?b=c'");
    }
}
