package io.tophat.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Sends a {@link LoadPlan}'s load with wrk or ab instead of the builtin generator, and reads the figures from
 * the tool's output. GET plans ask for the plan's first request target (one producer, as the field's commands
 * do); heartbeat plans run wrk's {@link WrkScript#HEARTBEAT} over the plan's producers, and their reference
 * {@link WrkScript#SAME_BODY}. wrk runs the plan's duration ({@code wrk -d}), ab the plan's requests
 * ({@code ab -n}); both after a warm-up of the same command for the plan's warm-up (ab's command again until
 * that time has passed).
 */
final class ToolLoad implements AutoCloseable {
    /** Beyond the run's own length, how long a tool may take to start, finish and print. */
    private static final Duration SLACK = Duration.ofSeconds(30);

    private final Generator generator;
    private final boolean redirects;
    private Path scripts;

    /** @param redirects whether redirects are the expected answer of the scenario's runs */
    ToolLoad(Generator generator, boolean redirects) {
        if (!generator.external()) {
            throw new IllegalArgumentException("the builtin generator runs in this process");
        }
        this.generator = generator;
        this.redirects = redirects;
    }

    /** Warms up, runs and reads the plan's load; says what it runs on {@code line}. */
    ToolResult run(LoadPlan plan, Consumer<String> line) {
        List<String> measured = command(plan, plan.duration());
        line.accept(plan.label() + ": " + ToolRun.line(measured) + warmupText(plan));
        long warmupAcknowledged = warmUp(plan);
        CpuUse before = CpuUse.now();
        ToolRun run = ToolRun.run(measured, patience(plan, plan.duration()));
        CpuUse process = CpuUse.now().since(before);
        return new ToolResult(plan, generator, run.commandLine(), run.parsed(parser()), redirects, warmupAcknowledged,
                process.withExternal(generator, run.cpuNanos()));
    }

    /** The tool's version line, for example {@code wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer}. */
    String version() {
        ToolRun run = ToolRun.run(List.of(generator.label(), generator == Generator.WRK ? "--version" : "-V"),
                SLACK);
        return OutputPatterns.firstLine(run.stdout().isBlank() ? run.stderr() : run.stdout());
    }

    private String warmupText(LoadPlan plan) {
        if (plan.warmup().isZero()) {
            return "";
        }
        return generator == Generator.WRK
                ? ", after a " + plan.warmup().toSeconds() + " s warm-up run of the same command"
                : ", after " + plan.warmup().toSeconds() + " s of warm-up runs of the same command";
    }

    /** wrk: one run of the warm-up's length; ab: the same command until the warm-up's time has passed. */
    private long warmUp(LoadPlan plan) {
        if (plan.warmup().isZero()) {
            return 0;
        }
        long acknowledged = 0;
        long end = System.nanoTime() + plan.warmup().toNanos();
        do {
            ToolRun run = ToolRun.run(command(plan, plan.warmup()), patience(plan, plan.warmup()));
            acknowledged += run.parsed(parser()).acknowledgedAnswers(redirects);
        } while (generator == Generator.AB && System.nanoTime() < end);
        return acknowledged;
    }

    private Function<String, ToolOutput> parser() {
        return generator == Generator.WRK ? WrkOutput::parse : AbOutput::parse;
    }

    /** The command that sends {@code plan}'s load for {@code length} (wrk; ab sends the plan's requests). */
    List<String> command(LoadPlan plan, Duration length) {
        String url = plan.target().toString() + plan.mix().uri(0);
        List<String> c = new ArrayList<>();
        c.add(generator.label());
        if (generator == Generator.AB) {
            if (plan.mix().bodyTemplate() != null || !plan.counted()) {
                throw new IllegalStateException("ab sends a number of GET requests, not " + plan.label());
            }
            c.addAll(List.of("-r", "-s", Long.toString(seconds(plan.timeout())), "-n", Long.toString(plan.requests()),
                    "-c", Integer.toString(plan.connections())));
            if (plan.keepAlive()) {
                c.add("-k");
            }
            c.add(url);
            return c;
        }
        c.addAll(List.of("-t" + plan.threads(), "-c" + plan.connections(), "-d" + seconds(length) + "s",
                "--timeout", seconds(plan.timeout()) + "s", "--latency"));
        if (!plan.keepAlive()) {
            c.addAll(List.of("-H", "Connection: close"));
        }
        List<String> scriptArgs = List.of();
        if (plan.mix() instanceof HeartbeatMix heartbeats) {
            c.addAll(List.of("-s", script(WrkScript.HEARTBEAT).toString()));
            scriptArgs = List.of("--", Long.toString(heartbeats.producers().first()),
                    Integer.toString(heartbeats.producers().count()));
        } else if (plan.mix() instanceof RegistrationMix registrations) {
            c.addAll(List.of("-s", script(WrkScript.REGISTER).toString()));
            scriptArgs = List.of("--", Long.toString(registrations.first()),
                    Long.toString(registrations.limitPerThread()));
        } else if (plan.mix().bodyTemplate() != null) {
            c.addAll(List.of("-s", script(WrkScript.SAME_BODY).toString()));
        }
        c.add(url);
        c.addAll(scriptArgs);
        return c;
    }

    /** wrk: the length and the time to end; ab: as long as the plan's requests could take if each timed out. */
    private static Duration patience(LoadPlan plan, Duration length) {
        if (!plan.counted()) {
            return length.plus(plan.timeout()).plus(SLACK);
        }
        long rounds = (plan.requests() + plan.connections() - 1) / plan.connections() + 2;
        return plan.timeout().multipliedBy(rounds).plus(SLACK);
    }

    /** Whole seconds, rounded up, at least 1: what wrk's -d and --timeout and ab's -s take. */
    static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    private Path script(WrkScript script) {
        try {
            if (scripts == null) {
                scripts = Files.createTempDirectory("tophat-wrk-");
            }
            return script.copyInto(scripts);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the wrk scripts: " + e.getMessage(), e);
        }
    }

    /** Removes the copied scripts. */
    @Override
    public void close() {
        if (scripts == null) {
            return;
        }
        TemporaryFolders.delete(scripts);
    }
}
