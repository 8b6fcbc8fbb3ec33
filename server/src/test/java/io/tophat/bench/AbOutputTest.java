package io.tophat.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** ApacheBench 2.3's summaries, recorded on real runs, read into the bench's figures. */
class AbOutputTest {

    @Test
    void the_report_s_command_on_a_redirect_counts_the_302s_as_ok_when_redirects_are_expected() {
        AbOutput out = AbOutput.parse(Recorded.output("ab", "redirect"));

        assertThat(out.complete()).isEqualTo(3000);
        assertThat(out.failed()).isZero();
        assertThat(out.non2xx()).isEqualTo(3000);
        assertThat(out.seconds()).isEqualTo(0.134);
        assertThat(out.requestsPerSecond()).isEqualTo(22_310.97);
        assertThat(out.percentileMillis(50)).isEqualTo(21);
        assertThat(out.percentileMillis(90)).isEqualTo(24);
        assertThat(out.percentileMillis(99)).isEqualTo(27);
        assertThat(out.maxMillis()).isEqualTo(27);
        assertThat(out.elapsed().toMillis()).isEqualTo(134);

        assertThat(out.ok(true)).isEqualTo(3000);
        assertThat(out.errors(true)).isEmpty();
        assertThat(out.note(true)).contains("3,000 non-2xx").contains("302");
        assertThat(out.ok(false)).as("where 200 is expected, a 3xx is not ok").isZero();
        assertThat(out.errors(false)).containsExactly(Map.entry("non_2xx", 3000L));
    }

    @Test
    void a_keep_alive_run_without_errors() {
        AbOutput out = AbOutput.parse(Recorded.output("ab", "keep-alive"));

        assertThat(out.complete()).isEqualTo(3000);
        assertThat(out.ok(false)).isEqualTo(3000);
        assertThat(out.failed(false)).isZero();
        assertThat(out.percentilesMillis()).containsKeys(50, 66, 75, 80, 90, 95, 98, 99, 100);
        assertThat(out.maxMillis()).isEqualTo(17);
        assertThat(out.note(false)).isEmpty();
    }

    @Test
    void non_2xx_answers_fail_where_200_is_expected() {
        AbOutput out = AbOutput.parse(Recorded.output("ab", "some-500s"));

        assertThat(out.non2xx()).isEqualTo(667);
        assertThat(out.ok(false)).isEqualTo(2000 - 667);
        assertThat(out.failed(false)).isEqualTo(667);
        assertThat(out.maxMillis()).isEqualTo(28);
    }

    @Test
    void failed_requests_are_read_by_reason() {
        AbOutput length = AbOutput.parse(Recorded.output("ab", "length-failures"));
        assertThat(length.failed()).isEqualTo(1963);
        assertThat(length.errors(false)).containsExactly(Map.entry("failed_length", 1963L));
        assertThat(length.ok(false)).isEqualTo(37);
        assertThat(length.seconds()).isEqualTo(1.070, within(1e-9));
    }

    @Test
    void a_request_failed_for_several_reasons_is_counted_once_per_reason_and_ok_never_goes_below_zero() {
        AbOutput out = AbOutput.parse(Recorded.output("ab", "resets"));

        assertThat(out.complete()).isEqualTo(1000);
        assertThat(out.failed()).isEqualTo(1499);
        assertThat(out.errors(false)).containsExactly(Map.entry("failed_receive", 500L),
                Map.entry("failed_length", 499L), Map.entry("failed_exceptions", 500L));
        assertThat(out.ok(false)).isZero();
    }

    @Test
    void a_run_ab_stopped_early_has_no_summary_and_is_refused() {
        assertThatThrownBy(() -> AbOutput.parse(Recorded.output("ab", "stopped")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Complete requests");
    }
}
