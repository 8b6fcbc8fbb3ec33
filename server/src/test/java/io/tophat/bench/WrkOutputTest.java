package io.tophat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** wrk 4.1's summaries, recorded on real runs, read into the bench's figures. */
class WrkOutputTest {

    @Test
    void a_clean_keep_alive_run_gives_rate_percentiles_in_microseconds_and_milliseconds_and_no_errors() {
        WrkOutput out = WrkOutput.parse(Recorded.output("wrk", "keep-alive-microseconds"));

        assertThat(out.requests()).isEqualTo(150_646);
        assertThat(out.seconds()).isEqualTo(1.05, within(1e-9));
        assertThat(out.requestsPerSecond()).isEqualTo(143_725.47);
        assertThat(out.percentilesMillis()).containsExactly(Map.entry(50, 0.319), Map.entry(75, 0.423),
                Map.entry(90, 0.719), Map.entry(99, 46.23));
        assertThat(out.maxMillis()).isEqualTo(69.03);
        assertThat(out.errors(false)).isEmpty();
        assertThat(out.ok(false)).isEqualTo(150_646);
        assertThat(out.acknowledged()).isEmpty();
        assertThat(out.elapsed().toNanos() / 1e9).as("requests over wrk's exact rate").isEqualTo(1.0481, within(1e-4));
    }

    @Test
    void answers_of_400_and_above_are_failures_not_ok() {
        WrkOutput out = WrkOutput.parse(Recorded.output("wrk", "some-500s"));

        assertThat(out.requests()).isEqualTo(91_685);
        assertThat(out.non2xxOr3xx()).isEqualTo(30_562);
        assertThat(out.ok(false)).isEqualTo(91_685 - 30_562);
        assertThat(out.errors(false)).containsExactly(Map.entry("non_2xx_or_3xx", 30_562L));
        assertThat(out.failed(false)).isEqualTo(30_562);
        assertThat(out.percentileMillis(50)).isEqualTo(0.068, within(1e-9));

        WrkOutput all = WrkOutput.parse(Recorded.output("wrk", "non-2xx"));
        assertThat(all.ok(false)).isZero();
        assertThat(all.failed(false)).isEqualTo(79_858);
    }

    @Test
    void socket_errors_are_read_by_kind() {
        WrkOutput reads = WrkOutput.parse(Recorded.output("wrk", "read-errors"));
        assertThat(reads.errors(false)).containsExactly(Map.entry("read_errors", 3_637L));
        assertThat(reads.ok(false)).isEqualTo(3_637);

        WrkOutput connects = WrkOutput.parse(Recorded.output("wrk", "connect-errors"));
        assertThat(connects.errors(false)).containsExactly(Map.entry("connect_errors", 495L));
        assertThat(connects.requests()).isEqualTo(123_226);
        assertThat(connects.percentileMillis(99)).isEqualTo(98.53);
        assertThat(connects.maxMillis()).isEqualTo(143.90);
    }

    @Test
    void latencies_in_seconds_are_read_as_milliseconds() {
        WrkOutput out = WrkOutput.parse(Recorded.output("wrk", "seconds"));

        assertThat(out.requests()).isEqualTo(8);
        assertThat(out.percentilesMillis().values()).containsOnly(1200.0);
        assertThat(out.maxMillis()).isEqualTo(1200.0);
        assertThat(out.requestsPerSecond()).isEqualTo(3.99);
    }

    @Test
    void answers_after_the_timeout_count_as_timeouts_not_as_ok() {
        WrkOutput out = WrkOutput.parse(Recorded.output("wrk", "timeouts"));

        assertThat(out.requests()).isEqualTo(8);
        assertThat(out.timeouts()).isEqualTo(8);
        assertThat(out.ok(false)).isZero();
        assertThat(out.errors(false)).containsExactly(Map.entry("timeouts", 8L));
        assertThat(out.note(false)).contains("8 timeouts have no latency");
    }

    @Test
    void without_latency_there_are_no_percentiles_but_the_maximum() {
        WrkOutput out = WrkOutput.parse(Recorded.output("wrk", "without-latency-distribution"));

        assertThat(out.percentilesMillis()).isEmpty();
        assertThat(out.percentileMillis(99)).isNaN();
        assertThat(out.maxMillis()).isEqualTo(100.33);
        assertThat(out.requests()).isEqualTo(119_509);
    }

    @Test
    void the_heartbeat_script_s_count_of_2xx_answers_is_what_was_acknowledged() {
        WrkOutput some = WrkOutput.parse(Recorded.output("wrk", "heartbeat-some-500s"));
        assertThat(some.acknowledged()).hasValue(31_207);
        assertThat(some.acknowledgedAnswers(false)).isEqualTo(31_207);
        assertThat(some.ok(false)).as("the summary agrees").isEqualTo(31_207);

        WrkOutput none = WrkOutput.parse(Recorded.output("wrk", "heartbeat-all-404"));
        assertThat(none.acknowledged()).hasValue(0);
        assertThat(none.failed(false)).isEqualTo(77_143);

        WrkOutput reference = WrkOutput.parse(Recorded.output("wrk", "same-body"));
        assertThat(reference.acknowledged()).isEmpty();
        assertThat(reference.acknowledgedAnswers(false)).isEqualTo(116_591);
    }

    @Test
    void output_without_a_summary_is_refused_quoting_its_last_line() {
        assertThatThrownBy(() -> WrkOutput.parse("unable to connect to 127.0.0.1:9 Connection refused\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("N requests in").hasMessageContaining("unable to connect");
    }

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({"654.00us, 0.654", "1.23ms, 1.23", "1.20s, 1200", "2.00m, 120000", "1.00h, 3600000"})
    void every_wrk_time_unit_is_read(String text, double millis) {
        assertThat(WrkOutput.millis(text)).isEqualTo(millis, within(1e-9));
    }
}
