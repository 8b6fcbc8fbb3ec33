package io.tophat.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The live heap read from jcmd's class histogram: its last line's byte total, this JVM's own measured for real. */
class LiveHeapTest {

    @Test
    void the_total_line_of_a_recorded_histogram_gives_the_live_bytes() {
        String histogram = """
                7570:
                 num     #instances         #bytes  class name (module)
                -------------------------------------------------------
                   1:       3331666      106613312  java.util.concurrent.ConcurrentHashMap$Node (java.base@25.0.3)
                   2:       1658153       66326120  io.tophat.balancer.Assignment
                Total       8624126      315809488
                """;
        assertThat(LiveHeap.parse(histogram)).hasValue(315_809_488L);
        assertThat(LiveHeap.parse("7570:\nCould not attach")).isEmpty();
    }

    @Test
    void this_jvm_s_live_heap_is_measured_and_grows_with_what_it_holds() {
        long pid = ProcessHandle.current().pid();
        java.util.OptionalLong before = LiveHeap.of(pid);
        org.junit.jupiter.api.Assumptions.assumeTrue(before.isPresent(), "no jcmd beside this java");
        byte[][] held = new byte[64][];
        for (int i = 0; i < held.length; i++) {
            held[i] = new byte[1 << 20];
        }
        long after = LiveHeap.of(pid).orElseThrow();
        assertThat(after - before.getAsLong()).as("64 MiB held").isGreaterThan(60L << 20);
        java.lang.ref.Reference.reachabilityFence(held);
    }
}
