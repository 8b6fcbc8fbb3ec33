package io.tophat.bench;

import org.HdrHistogram.Histogram;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * What a load run measured (the measured part only, after the warmup).
 *
 * @param plan      the run
 * @param elapsed   the measured time: the duration, or for a counted run from the first connect to the last answer
 * @param statuses  answers by HTTP status code
 * @param errors    requests without an answer, by kind; only kinds that occurred
 * @param unsent    open loop: requests that were due but never sent because every connection was busy
 * @param latency   latency of answers, timeouts and unsent requests, in microseconds (a copy owned by this result)
 * @param warmupOk  answers below 400 during the warmup (not part of any other figure)
 * @param unavailableWithoutRetryAfter 503 answers that carried no Retry-After header
 * @param cpu       CPU time this process spent during the measured part
 */
public record LoadResult(LoadPlan plan, Duration elapsed, SortedMap<Integer, Long> statuses,
                         Map<ErrorKind, Long> errors, long unsent, Histogram latency, long warmupOk,
                         long unavailableWithoutRetryAfter, CpuUse cpu) implements RunFigures {

    public LoadResult {
        statuses = Collections.unmodifiableSortedMap(new TreeMap<>(statuses));
        errors = errors.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(errors));
    }

    static LoadResult of(LoadPlan plan, Duration elapsed, Counts counts, Histogram latency, long warmupOk, CpuUse cpu) {
        SortedMap<Integer, Long> statuses = new TreeMap<>();
        for (int i = 0; i < Counts.STATUS_SLOTS; i++) {
            if (counts.statuses[i] > 0) {
                statuses.put(i, counts.statuses[i]);
            }
        }
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : ErrorKind.values()) {
            if (counts.errors[kind.ordinal()] > 0) {
                errors.put(kind, counts.errors[kind.ordinal()]);
            }
        }
        return new LoadResult(plan, elapsed, statuses, errors, counts.unsent, latency, warmupOk,
                counts.unavailableWithoutRetryAfter, cpu);
    }

    /** Answers of any status. */
    @Override
    public long answers() {
        return statuses.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Answers with a status below 400 (the redirects and the 200s). */
    public long ok() {
        return statuses.headMap(400).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Answers with a status of 400 or more, plus requests without an answer (unsent ones not included). */
    @Override
    public long failed() {
        return answers() - ok() + errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Answers below 400, warm-up included. */
    @Override
    public long acknowledged() {
        return warmupOk + ok();
    }

    /** Answers with a status below 400 per second: the figure compared with the reference. */
    @Override
    public double okPerSecond() {
        return perSecond(ok());
    }

    public double answersPerSecond() {
        return perSecond(answers());
    }

    private double perSecond(long n) {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds > 0 ? n / seconds : 0;
    }

    /** A latency percentile in milliseconds, for example {@code percentileMillis(99.9)}. */
    public double percentileMillis(double percentile) {
        return latency.getTotalCount() == 0 ? 0 : latency.getValueAtPercentile(percentile) / 1000.0;
    }

    @Override
    public double p99Millis() {
        return percentileMillis(99);
    }

    public double meanMillis() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMean() / 1000.0;
    }

    @Override
    public double maxMillis() {
        return latency.getTotalCount() == 0 ? 0 : latency.getMaxValue() / 1000.0;
    }

    /** How many recorded latencies are at least {@code d}. */
    public long latenciesAtLeast(Duration d) {
        long micros = d.toNanos() / 1000;
        return micros > latency.getMaxValue() ? 0 : latency.getCountBetweenValues(micros, latency.getMaxValue());
    }

    /** For example {@code 3 x 503, 2 timeout}, or {@code none}. */
    public String errorSummary() {
        StringJoiner j = new StringJoiner(", ");
        statuses.tailMap(400).forEach((status, n) -> j.add(n + " x " + status
                + (status == 503 && unavailableWithoutRetryAfter > 0 ? " (" + unavailableWithoutRetryAfter
                + " without Retry-After)" : "")));
        errors.forEach((kind, n) -> j.add(n + " " + kind.label()));
        if (unsent > 0) {
            j.add(unsent + " unsent");
        }
        return j.length() == 0 ? "none" : j.toString();
    }

    /** Three lines: throughput, latency, CPU per answer. */
    @Override
    public String describe() {
        return String.format(Locale.ROOT, "%,.0f requests/s (%,d ok, %,d failed in %.1f s)%n"
                        + "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  mean %.2f; errors: %s%n%s",
                okPerSecond(), ok(), failed(), elapsed.toNanos() / 1e9,
                percentileMillis(50), percentileMillis(90), percentileMillis(99), percentileMillis(99.9),
                maxMillis(), meanMillis(), errorSummary(), cpu.describe(answers()));
    }

    /** The result as plain maps and lists, for {@code --json}. */
    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> out = plan.toJson();
        out.put("generator", Generator.BUILTIN.label());
        out.put("elapsed_s", round(elapsed.toNanos() / 1e9));
        out.put("requests_per_s", round(okPerSecond()));
        out.put("answers_per_s", round(answersPerSecond()));
        out.put("ok", ok());
        out.put("failed", failed());
        out.put("unsent", unsent);
        Map<String, Long> byStatus = new LinkedHashMap<>();
        statuses.forEach((s, n) -> byStatus.put(Integer.toString(s), n));
        out.put("statuses", byStatus);
        out.put("503_without_retry_after", unavailableWithoutRetryAfter);
        Map<String, Long> byKind = new LinkedHashMap<>();
        errors.forEach((k, n) -> byKind.put(k.key(), n));
        out.put("errors", byKind);
        Map<String, Object> ms = new LinkedHashMap<>();
        ms.put("p50", round(percentileMillis(50)));
        ms.put("p90", round(percentileMillis(90)));
        ms.put("p99", round(percentileMillis(99)));
        ms.put("p99_9", round(percentileMillis(99.9)));
        ms.put("max", round(maxMillis()));
        ms.put("mean", round(meanMillis()));
        out.put("latency_ms", ms);
        if (cpu.known()) {
            out.put("cpu", cpu.toJson(answers()));
        }
        return out;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
