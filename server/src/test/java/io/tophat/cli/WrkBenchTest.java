package io.tophat.cli;

import io.tophat.bench.Generator;
import io.tophat.testing.StandardOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code tophat bench read --generator wrk}, end to end and short: an embedded system, wrk as a child process,
 * its output read back into the report. Skipped where wrk is not installed (CI installs it, see .ci/run).
 */
@Timeout(30)
class WrkBenchTest {
    private static final Pattern RATE = Pattern.compile("(?m)^  ([0-9,]+) requests/s \\(");

    @Test
    void bench_read_with_wrk_reports_a_positive_rate_for_both_paths_and_wrk_s_cpu_per_request()
            throws Exception {
        assumeTrue(Generator.WRK.find(System.getenv("PATH")).isPresent(),
                "wrk is not installed (apt-get install wrk): the end-to-end run of --generator wrk is skipped");
        String out = StandardOutput.ofTophat("bench", "read", "--generator", "wrk", "--duration", "1s", "--warmup", "1s",
                "--skip-reference", "--producers", "500");

        assertThat(out).contains("generator: wrk").contains("wrk -t2 -c256 -d1s --timeout 10s --latency http://")
                .contains("after a 1 s warm-up run of the same command")
                .containsPattern("cpu per request: [0-9.]+ µs wrk \\(its own process\\), [0-9.]+ µs this process");
        Matcher rates = RATE.matcher(out);
        List<Long> perSecond = rates.results().map(m -> Long.parseLong(m.group(1).replace(",", ""))).toList();
        assertThat(perSecond).as("GET /get_data/{id} and GET /api/v1/producers/{id}").hasSize(2)
                .allSatisfy(rate -> assertThat(rate).isPositive());
    }
}
