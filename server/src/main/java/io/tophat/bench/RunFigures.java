package io.tophat.bench;

import java.time.Duration;
import java.util.Map;

/**
 * What one measured run gives, whichever generator sent the load: the builtin one ({@link LoadResult}) or
 * wrk or ab ({@link ToolResult}). The reports, the targets and the scenarios read runs through this.
 */
interface RunFigures {

    /** Answers with a status below 400 per second: the figure compared with the reference. */
    double okPerSecond();

    /** Answers of any status. */
    long answers();

    /** Answers that count as failures plus requests without an answer. */
    long failed();

    /** Open loop: requests that were due but never sent (0 for wrk and ab, which run a closed loop). */
    long unsent();

    /** The measured time. */
    Duration elapsed();

    double p99Millis();

    double maxMillis();

    /**
     * The answers that acknowledged a request, warm-up included: below 400 for the builtin generator, the 2xx
     * answers as wrk's heartbeat script counted them.
     */
    long acknowledged();

    /** Three lines: throughput, latency and errors, CPU per answer. */
    String describe();

    /** The run as plain maps and lists, for {@code --json}. */
    Map<String, Object> toJson();
}
