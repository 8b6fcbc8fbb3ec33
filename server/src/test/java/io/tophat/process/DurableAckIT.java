package io.tophat.process;

import io.tophat.bench.HeartbeatMix;
import io.tophat.bench.LoadGenerator;
import io.tophat.bench.LoadPlan;
import io.tophat.bench.LoadResult;
import io.tophat.bench.ProducerIds;
import io.tophat.protocol.Heartbeat;
import io.tophat.store.SqliteHeartbeatStore;
import io.tophat.store.SqliteStoreConfig;
import io.tophat.testing.JarProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A worker killed with SIGKILL at full ingest speed loses no acknowledged heartbeat. The balancer and the worker
 * run as their own processes from the fat jar; the bench's Netty load generator sends heartbeats at the worker
 * (closed loop, 256 keep-alive connections, 10,000 producers, a distinct seq per request) and tells, through its
 * answer listener, exactly which requests were answered 200. After 10 s of load the worker is killed,
 * the load stops, and the worker's SQLite files must hold every acknowledged (producer, seq): an exact set
 * comparison, not counts.
 */
@Timeout(180)
class DurableAckIT {
    private static final int CONNECTIONS = 256;
    private static final int PRODUCERS = 10_000;
    /** How long the load runs before the SIGKILL; the rate of its last {@link #TAIL} is reported as well. */
    private static final Duration LOAD = Duration.ofSeconds(10);
    private static final Duration TAIL = Duration.ofSeconds(3);
    /**
     * The fewest heartbeats acknowledged before the SIGKILL that pass: a floor, not a speed check (a quiet
     * 2-core machine acknowledges 30,000/s once the fresh worker JVM is warm). On a machine so busy with other
     * work that {@link #LOAD} does not reach it, the load goes on up to {@link #MOST_LOAD}; the printed rates are
     * the figures to read.
     */
    private static final long AT_LEAST = 20_000;
    private static final Duration MOST_LOAD = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void every_heartbeat_acknowledged_before_a_sigkill_is_in_the_store_afterwards() throws Exception {
        ProducerIds producers = ProducerIds.bench(PRODUCERS);
        HeartbeatMix mix = new HeartbeatMix(producers, HeartbeatMix.seqBaseNow());
        Acknowledged acknowledged = new Acknowledged();
        long ackedBeforeKill;
        double loadSeconds;
        double tailRate;
        LoadResult result;
        try (JarProcess balancer = JarProcess.start(dir, "balancer", "balancer", "--host", "127.0.0.1",
                "--port", "0", "--data-dir", "balancer").awaitOutput("TopHat balancer on", Duration.ofSeconds(30));
             // The JVM's own defaults, as bin/tophat runs it: the small serial heap of other tests slows ingest.
             JarProcess worker = JarProcess.start(dir, "worker", List.of(), List.of("worker", "--host", "127.0.0.1",
                     "--port", "0", "--balancer", "127.0.0.1:" + balancer.printedPort(), "--data-dir", "worker"))
                     .awaitOutput("TopHat worker on port", Duration.ofSeconds(30))) {
            int workerPort = worker.printedPort();

            // The duration is only a backstop: the run is stopped right after the SIGKILL.
            LoadPlan plan = LoadPlan.closedLoop("durable-ack", URI.create("http://127.0.0.1:" + workerPort), mix,
                            CONNECTIONS, Duration.ofSeconds(120))
                    .withTimeout(Duration.ofSeconds(5))
                    .withProgress(Duration.ofSeconds(1))
                    .withAnswerListener(acknowledged);
            CompletableFuture<Void> stop = new CompletableFuture<>();
            long started = System.nanoTime();
            CompletableFuture<LoadResult> load = CompletableFuture.supplyAsync(
                    () -> LoadGenerator.run(plan, System.out::println, stop));
            // (time, acknowledged) every 100 ms, for the rate of the last TAIL before the kill
            ArrayDeque<long[]> samples = new ArrayDeque<>();
            while (true) {
                long now = System.nanoTime();
                long count = acknowledged.count();
                samples.addLast(new long[] {now, count});
                while (samples.peekFirst()[0] < now - TAIL.toNanos()) {
                    samples.removeFirst();
                }
                long ran = now - started;
                if (ran >= LOAD.toNanos() && (count > AT_LEAST || ran >= MOST_LOAD.toNanos())) {
                    break;
                }
                keepsRunning(load, Duration.ofMillis(100));
            }
            worker.kill();
            long[] last = samples.peekLast();
            long[] first = samples.peekFirst();
            ackedBeforeKill = last[1];
            loadSeconds = (last[0] - started) / 1e9;
            tailRate = (last[1] - first[1]) / Math.max(1e-9, (last[0] - first[0]) / 1e9);
            stop.complete(null);
            result = load.get(60, TimeUnit.SECONDS);
        }

        BitSet acked = acknowledged.snapshot();
        System.out.printf(Locale.ROOT, "[durable-ack] %,d heartbeats acknowledged in %.1f s before SIGKILL: %,.0f/s "
                        + "(%,.0f/s in the last %d s; %d connections, %,d producers); %,d acknowledged in all, %,d other "
                        + "answers; generator: %s%n",
                ackedBeforeKill, loadSeconds, ackedBeforeKill / loadSeconds, tailRate, TAIL.toSeconds(), CONNECTIONS,
                PRODUCERS, acked.cardinality(), acknowledged.other(),
                result.describe().replace(System.lineSeparator(), "; "));

        long checkStarted = System.nanoTime();
        BitSet stored = new BitSet(acked.length());
        long foreign = 0;
        try (SqliteHeartbeatStore store = SqliteHeartbeatStore.open(
                SqliteStoreConfig.defaults(dir.resolve("worker").resolve("heartbeats.db")))) {
            long base = mix.seq(0);
            for (int i = 0; i < PRODUCERS; i++) {
                String producer = producers.idText(i);
                for (Heartbeat hb : store.history(producer, 0, Long.MAX_VALUE, 1_000_000)) {
                    long n = hb.seq() == null ? -1 : hb.seq() - base;
                    if (n >= 0 && n < Integer.MAX_VALUE && Long.toString(mix.producerId(n)).equals(hb.producer())) {
                        stored.set((int) n);
                    } else {
                        foreign++;
                    }
                }
            }
        }
        BitSet missing = (BitSet) acked.clone();
        missing.andNot(stored);
        BitSet unacknowledged = (BitSet) stored.clone();
        unacknowledged.andNot(acked);
        System.out.printf(Locale.ROOT, "[durable-ack] stored %,d heartbeats (%,d of them not acknowledged: in flight "
                        + "at the SIGKILL); acknowledged but missing: %,d; checked in %.1f s%n",
                stored.cardinality(), unacknowledged.cardinality(), missing.cardinality(),
                (System.nanoTime() - checkStarted) / 1e9);

        assertThat(foreign).as("stored heartbeats this run never sent").isZero();
        assertThat(describe(missing, mix)).as("acknowledged (producer, seq) missing from the store").isEmpty();
        assertThat(ackedBeforeKill).as("heartbeats acknowledged before the SIGKILL").isGreaterThan(AT_LEAST);
    }

    /** Waits {@code time}; fails if the load run ends meanwhile. */
    private static void keepsRunning(CompletableFuture<LoadResult> load, Duration time) throws InterruptedException {
        try {
            LoadResult early = load.get(time.toMillis(), TimeUnit.MILLISECONDS);
            fail("the load ended before the SIGKILL: " + early.describe());
        } catch (TimeoutException e) {
            // still running
        } catch (ExecutionException e) {
            throw new AssertionError("the load generator failed before the SIGKILL", e.getCause());
        }
    }

    /** The first few (producer, seq) pairs of the requests in {@code requests}. */
    private static List<String> describe(BitSet requests, HeartbeatMix mix) {
        List<String> out = new ArrayList<>();
        for (int n = requests.nextSetBit(0); n >= 0 && out.size() < 20; n = requests.nextSetBit(n + 1)) {
            out.add("(" + mix.producerId(n) + ", " + mix.seq(n) + ")");
        }
        if (requests.cardinality() > out.size()) {
            out.add("... " + requests.cardinality() + " in all");
        }
        return out;
    }

    /**
     * The requests answered 200, by request number (each number is one (producer, seq) of the mix). Called on
     * the generator's event loops, so synchronized; a set bit per acknowledged heartbeat, nothing allocated.
     */
    private static final class Acknowledged implements LoadPlan.AnswerListener {
        private final BitSet ok = new BitSet(1 << 20);
        private long count;
        private long other;

        @Override
        public synchronized void answered(long n, int status) {
            if (status == 200) {
                ok.set(Math.toIntExact(n));
                count++;
            } else {
                other++;
            }
        }

        synchronized long count() {
            return count;
        }

        synchronized long other() {
            return other;
        }

        synchronized BitSet snapshot() {
            return (BitSet) ok.clone();
        }
    }
}
