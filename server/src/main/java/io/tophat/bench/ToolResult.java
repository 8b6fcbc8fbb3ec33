package io.tophat.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A run measured by wrk or ab: the figures of its output, in the report's terms, as far as the tool gives
 * them (percentiles 50, 90 and 99 and the maximum; no p99.9, no mean, no status breakdown).
 *
 * @param plan               the run as the bench planned it
 * @param generator          wrk or ab
 * @param command            the exact command of the measured run
 * @param output             what the tool printed
 * @param redirects          whether redirects are the expected answer (ab cannot tell a 302 from a 404)
 * @param warmupAcknowledged answers that acknowledged a request during the warm-up runs
 * @param cpu                this process's CPU time during the run, and the tool's own
 */
record ToolResult(LoadPlan plan, Generator generator, String command, ToolOutput output, boolean redirects,
                  long warmupAcknowledged, CpuUse cpu) implements RunFigures {
    private static final int[] PERCENTILES = {50, 90, 99};

    long ok() {
        return output.ok(redirects);
    }

    @Override
    public double okPerSecond() {
        double seconds = elapsed().toNanos() / 1e9;
        return seconds > 0 ? ok() / seconds : 0;
    }

    @Override
    public long answers() {
        return output.answers();
    }

    @Override
    public long failed() {
        return output.failed(redirects);
    }

    @Override
    public long unsent() {
        return 0;
    }

    @Override
    public Duration elapsed() {
        return output.elapsed();
    }

    @Override
    public double p99Millis() {
        return output.percentileMillis(99);
    }

    @Override
    public double maxMillis() {
        return output.maxMillis();
    }

    /** The script's count of 2xx answers when it printed one (wrk's heartbeats), else the ok answers. */
    @Override
    public long acknowledged() {
        return warmupAcknowledged + output.acknowledgedAnswers(redirects);
    }

    @Override
    public String describe() {
        StringJoiner latency = new StringJoiner("  ");
        for (int p : PERCENTILES) {
            if (!Double.isNaN(output.percentileMillis(p))) {
                latency.add(String.format(Locale.ROOT, "p%d %.2f", p, output.percentileMillis(p)));
            }
        }
        latency.add(String.format(Locale.ROOT, "max %.2f", maxMillis()));
        String note = output.note(redirects);
        return String.format(Locale.ROOT, "%,.0f requests/s (%,d ok, %,d failed in %.1f s; %s printed %,.0f requests/s)%n"
                        + "latency ms: %s; errors: %s%s%n%s", okPerSecond(), ok(), failed(), elapsed().toNanos() / 1e9,
                generator.label(), output.toolRequestsPerSecond(), latency, errorSummary(),
                note.isEmpty() ? "" : "; " + note, cpu.describe(answers()));
    }

    /** For example {@code 12 read errors, 3 timeouts}, or {@code none}. */
    String errorSummary() {
        StringJoiner j = new StringJoiner(", ");
        output.errors(redirects).forEach((kind, n) -> j.add(String.format(Locale.ROOT, "%,d %s", n,
                kind.replace("non_2xx", "non-2xx").replace('_', ' '))));
        return j.length() == 0 ? "none" : j.toString();
    }

    @Override
    public Map<String, Object> toJson() {
        Map<String, Object> out = plan.toJson();
        out.put("generator", generator.label());
        out.put("command", command);
        out.put("elapsed_s", LoadResult.round(elapsed().toNanos() / 1e9));
        out.put("requests_per_s", LoadResult.round(okPerSecond()));
        out.put("tool_requests_per_s", output.toolRequestsPerSecond());
        out.put("ok", ok());
        out.put("failed", failed());
        out.put("answers", answers());
        out.put("errors", output.errors(redirects));
        String note = output.note(redirects);
        if (!note.isEmpty()) {
            out.put("note", note);
        }
        Map<String, Object> ms = new LinkedHashMap<>();
        output.percentilesMillis().forEach((p, v) -> ms.put(p == 100 ? "max" : "p" + p, v));
        ms.put("max", maxMillis());
        out.put("latency_ms", ms);
        output.acknowledged().ifPresent(n -> out.put("acknowledged", n + warmupAcknowledged));
        if (cpu.known() || cpu.generatorNanos() > 0) {
            out.put("cpu", cpu.toJson(answers()));
        }
        return out;
    }
}
