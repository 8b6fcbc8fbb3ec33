package io.tophat.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What a bench prints: text as it goes (the default), or one JSON document at the end ({@code --json}; the
 * running commentary then goes to the error stream, so standard output stays one document).
 */
final class BenchReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final boolean json;
    private final PrintStream out;
    private final PrintStream commentary;
    private final Map<String, Object> doc = new LinkedHashMap<>();
    private final List<Map<String, Object>> runs = new ArrayList<>();
    private final Map<String, Object> notes = new LinkedHashMap<>();

    BenchReport(BenchOptions options, PrintStream out, PrintStream err) {
        this.json = options.json();
        this.out = out;
        this.commentary = json ? err : out;
        doc.put("scenario", options.scenario().label());
        doc.put("description", options.scenario().description());
        doc.put("machine", machine());
        doc.put("generator", options.generator().label());
        doc.put("runs", runs);
        doc.put("notes", notes);
    }

    /** A line of commentary. */
    void line(String text) {
        commentary.println(text);
        commentary.flush();
    }

    /** Where progress lines go. */
    Consumer<String> progress() {
        return this::line;
    }

    void put(String key, Object value) {
        doc.put(key, value);
    }

    /** A figure worth keeping: printed, and kept under {@code notes} in JSON. */
    void note(String key, Object value, String text) {
        notes.put(key, value);
        line(text);
    }

    /** A run just measured: where it went, its figures. */
    void measured(RunFigures r) {
        line("  " + r.describe().replace("\n", "\n  "));
    }

    /** One measured run on its own (no reference), kept for JSON. */
    void result(String name, RunFigures r) {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("name", name);
        run.put("result", r.toJson());
        runs.add(run);
    }

    /** A run beside its same-sitting reference: prints the ratio and the goal, keeps both for JSON. */
    void compare(String name, RunFigures r, RunFigures reference, Goal goal) {
        Double ratio = null;
        String versus = "";
        if (reference != null) {
            ratio = reference.okPerSecond() > 0 ? r.okPerSecond() / reference.okPerSecond() : null;
            versus = String.format(Locale.ROOT, ": %,.0f vs %,.0f requests/s = %s the reference; p99 %.2f ms vs %.2f ms",
                    r.okPerSecond(), reference.okPerSecond(),
                    ratio == null ? "n/a" : String.format(Locale.ROOT, "%.2fx", ratio), r.p99Millis(),
                    reference.p99Millis());
        }
        line("== " + name + versus);
        for (String check : goal.check(r, ratio)) {
            line("   target: " + check);
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("name", name);
        run.put("result", r.toJson());
        if (reference != null) {
            run.put("reference", reference.toJson());
            run.put("ratio", ratio == null ? null : LoadResult.round(ratio));
        }
        run.put("goal", goal.toJson(r, ratio));
        runs.add(run);
    }

    /** A measurement that is not a comparison with a reference: its figures, and the target's parts checked. */
    void checked(String name, Map<String, Object> result, List<Check> checks) {
        line("== " + name);
        for (Check check : checks) {
            line("   target: " + check.line());
        }
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("name", name);
        run.put("result", result);
        run.put("goal", Check.toJson(checks));
        runs.add(run);
    }

    /** Prints the JSON document (with {@code --json}); text was printed as it went. */
    void finish() {
        if (json) {
            try {
                out.println(JSON.writeValueAsString(doc));
            } catch (Exception e) {
                throw new IllegalStateException("cannot write the JSON report: " + e.getMessage(), e);
            }
        }
        out.flush();
    }

    static String describeShape(LoadPlan p) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, " (%s, %d connections, %s", p.mix().method().name(), p.connections(),
                p.keepAlive() ? "keep-alive" : "no keep-alive"));
        if (p.counted()) {
            s.append(String.format(Locale.ROOT, ", %,d requests", p.requests()));
        } else {
            s.append(p.openLoop() ? String.format(Locale.ROOT, ", open loop at %,.0f/s", p.rate()) : ", closed loop");
            s.append(", ").append(p.duration().toSeconds()).append(" s");
        }
        return s.append(')').toString();
    }

    /** CPUs, memory and the Java runtime, as this process sees them. */
    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            m.put("memory_mb", os.getTotalMemorySize() / (1024 * 1024));
        }
        m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.vendor") + ")");
        m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("load_generator_transport", NettyTransport.name());
        m.put("load_average", Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0);
        return m;
    }
}
