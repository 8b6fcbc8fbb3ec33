package io.tophat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The CPU time of a child process, as the kernel hands it to its parent once reaped. */
class ChildCpuTest {

    @Test
    void cutime_and_cstime_are_counted_after_the_command_name_even_with_spaces_and_parentheses_in_it() {
        // a /proc/PID/stat line of a process called "my (odd) cmd", cutime 1234 and cstime 56
        String stat = "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1000 2000 0 0 10 20 1234 56 20 0 1 0 "
                + "100 1000000 200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
        assertThat(ChildCpu.ticks(stat)).isEqualTo(1234 + 56);
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void a_busy_child_s_cpu_time_is_read_once_it_has_ended() {
        ToolRun run = ToolRun.run(List.of("sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo done"),
                Duration.ofSeconds(20));

        assertThat(run.exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("done\n");
        assertThat(run.cpuNanos()).as("a shell counting to 100,000 spends some tens of ms")
                .isGreaterThanOrEqualTo(10_000_000L).isLessThan(20_000_000_000L);
    }
}
