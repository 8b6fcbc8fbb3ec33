package io.tophat.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs one {@link LoadPlan} on its own Netty event loops (one per generator thread) and returns what
 * it measured. The event loops record on the hot path; this class reads their counters from the calling
 * thread: once after the warmup (discarded), every progress interval (a progress line), and at the end.
 * A run can be ended early from another thread (see {@link #run(LoadPlan, Consumer, CompletableFuture)}).
 */
public final class LoadGenerator {
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final DefaultThreadFactory THREADS = new DefaultThreadFactory("tophat-load", true);

    private LoadGenerator() {
    }

    /**
     * Runs {@code plan}; progress lines, if the plan asks for them, go to {@code progress}. A counted plan with a
     * warmup first runs a separate, unreported warmup run of that length (on its own connections).
     */
    public static LoadResult run(LoadPlan plan, Consumer<String> progress) {
        return run(plan, progress, new CompletableFuture<>());
    }

    /**
     * Runs {@code plan} as {@link #run(LoadPlan, Consumer)} does, but ends it early when {@code stop} completes
     * (normally or not), for example once the server under test has been killed: the event loops stop sending
     * and close their connections, answers still arriving are not counted (an answer listener still hears of
     * them until the connections are closed), and the result covers the run up to the stop.
     */
    public static LoadResult run(LoadPlan plan, Consumer<String> progress, CompletableFuture<?> stop) {
        if (plan.counted() && !plan.warmup().isZero()) {
            runOnce(plan.withWarmup(Duration.ZERO).withDuration(plan.warmup()).withProgress(Duration.ZERO), line -> { },
                    stop);
            return runOnce(plan.withWarmup(Duration.ZERO), progress, stop);
        }
        return runOnce(plan, progress, stop);
    }

    private static LoadResult runOnce(LoadPlan plan, Consumer<String> progress, CompletableFuture<?> stop) {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(plan.threads(), THREADS, NettyTransport.ioHandlers());
        List<LoadLoop> loops = new ArrayList<>();
        try {
            for (int i = 0; i < plan.threads(); i++) {
                loops.add(new LoadLoop(plan, group.next(), i, plan.threads()));
            }
            long deadline = System.nanoTime() + SETTLE.toNanos();
            for (LoadLoop loop : loops) {
                await(loop.start(), deadline);
            }
            return plan.counted() ? counted(plan, loops, stop) : timed(plan, loops, progress, stop);
        } finally {
            long deadline = System.nanoTime() + SETTLE.toNanos();
            try {
                for (LoadLoop loop : loops) {
                    await(loop.close(), deadline);
                }
            } catch (RuntimeException e) {
                // the result is complete; connections that do not close in time go with the event loops
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(SETTLE.toMillis());
        }
    }

    /** Runs {@code plan} without progress lines. */
    public static LoadResult run(LoadPlan plan) {
        return run(plan, line -> { });
    }

    private static LoadResult counted(LoadPlan plan, List<LoadLoop> loops, CompletableFuture<?> stop) {
        CpuUse cpuBefore = CpuUse.now();
        // Even if every request took the whole timeout: requests / connections rounds of one timeout each.
        double rounds = Math.ceil((double) plan.requests() / plan.connections()) + 2;
        long limit = (long) Math.min(Long.MAX_VALUE / 2.0, rounds * plan.timeout().toNanos()) + SETTLE.toNanos();
        long deadline = System.nanoTime() + limit;
        CompletableFuture<Void> all = CompletableFuture.allOf(
                loops.stream().map(LoadLoop::finished).toArray(CompletableFuture[]::new));
        await(CompletableFuture.anyOf(all, stop.handle((v, e) -> null)), deadline);
        long start = loops.stream().mapToLong(LoadLoop::startNanos).min().orElseThrow();
        long end;
        if (all.isDone()) {
            await(all, deadline);
            end = loops.stream().mapToLong(LoadLoop::lastSettledNanos).max().orElseThrow();
        } else {
            end = System.nanoTime();
            halt(loops, end);
        }
        Histogram latency = newHistogram();
        Counts counts = new Counts();
        for (LoadLoop loop : loops) {
            loop.counters().drainInto(latency);
            loop.counters().addTo(counts);
        }
        return LoadResult.of(plan, Duration.ofNanos(end - start), counts, latency, 0, CpuUse.now().since(cpuBefore));
    }

    private static LoadResult timed(LoadPlan plan, List<LoadLoop> loops, Consumer<String> progress,
                                    CompletableFuture<?> stop) {
        long begin = System.nanoTime();
        sleepUntil(begin + plan.warmup().toNanos(), stop);
        if (!plan.warmup().isZero() && !stop.isDone()) {
            long rebaseAt = System.nanoTime();
            long deadline = rebaseAt + SETTLE.toNanos();
            for (LoadLoop loop : loops) {
                await(loop.rebase(rebaseAt), deadline);
            }
        }
        Histogram discarded = newHistogram();
        loops.forEach(loop -> loop.counters().drainInto(discarded));
        Counts base = sum(loops);
        CpuUse cpuBefore = CpuUse.now();
        long measureStart = System.nanoTime();
        long end = measureStart + plan.duration().toNanos();
        Histogram total = newHistogram();
        Histogram window = newHistogram();
        long every = plan.progress().toNanos();
        long nextLine = every > 0 ? measureStart + every : Long.MAX_VALUE;
        Counts lastLine = base;
        long lastLineAt = measureStart;
        while (!stop.isDone()) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            sleepUntil(Math.min(end, nextLine), stop);
            now = System.nanoTime();
            if (now >= nextLine && now < end && !stop.isDone()) {
                Counts counts = sum(loops);
                window.reset();
                loops.forEach(loop -> loop.counters().drainInto(total, window));
                progress.accept(progressLine(plan, now - measureStart, now - lastLineAt, counts.minus(lastLine), window));
                lastLine = counts;
                lastLineAt = now;
                nextLine += every;
            }
        }
        long stopAt = System.nanoTime();
        CpuUse cpu = CpuUse.now().since(cpuBefore);
        halt(loops, stopAt);
        loops.forEach(loop -> loop.counters().drainInto(total));
        return LoadResult.of(plan, Duration.ofNanos(stopAt - measureStart), sum(loops).minus(base), total, base.ok(), cpu);
    }

    private static void halt(List<LoadLoop> loops, long stopAt) {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        for (LoadLoop loop : loops) {
            await(loop.halt(stopAt), deadline);
        }
    }

    private static String progressLine(LoadPlan plan, long sinceStart, long window, Counts counts, Histogram latency) {
        double seconds = window / 1e9;
        return String.format(Locale.ROOT, "  [%s] %3.0fs  %,9.0f requests/s  p50 %.2f ms  p99 %.2f ms  max %.2f ms  failed %d",
                plan.label(), sinceStart / 1e9, seconds > 0 ? counts.ok() / seconds : 0,
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                latency.getMaxValue() / 1000.0, counts.failed());
    }

    private static Counts sum(List<LoadLoop> loops) {
        Counts counts = new Counts();
        loops.forEach(loop -> loop.counters().addTo(counts));
        return counts;
    }

    private static Histogram newHistogram() {
        return new Histogram(1, LoopCounters.HIGHEST_MICROS, LoopCounters.DIGITS);
    }

    /** Waits until {@code nanos} or until {@code stop} completes, whichever comes first. */
    private static void sleepUntil(long nanos, CompletableFuture<?> stop) {
        long left;
        while ((left = nanos - System.nanoTime()) > 0 && !stop.isDone()) {
            try {
                stop.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException | CancellationException e) {
                // time is up, or the stop came (exceptionally): the loop condition tells which
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("the load run was interrupted", e);
            }
        }
    }

    private static <T> T await(CompletableFuture<T> future, long deadlineNanos) {
        try {
            return future.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the load generator failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the load generator did not finish in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the load run was interrupted", e);
        }
    }
}
