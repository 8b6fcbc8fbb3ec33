package io.tophat.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Polls the balancer's {@code GET /api/v1/cluster} every 50 ms and remembers, per worker id, what each answer
 * said and when it was asked and answered, to tell when the balancer held a worker dead.
 */
final class ClusterWatch implements AutoCloseable {

    /** One answer about one worker: asked at {@code sentNanos}, answered at {@code receivedNanos}. */
    record Observation(long sentNanos, long receivedNanos, boolean listed, boolean alive) {
    }

    /** The balancer certainly held the worker dead from {@code fromNanos} to {@code toNanos}. */
    record DeadWindow(long fromNanos, long toNanos) {
        boolean covers(long startNanos, long endNanos) {
            return startNanos >= fromNanos && endNanos <= toNanos;
        }
    }

    private final ProcessCluster cluster;
    private final Map<String, List<Observation>> observations = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    ClusterWatch(ProcessCluster cluster) {
        this.cluster = cluster;
        this.thread = new Thread(this::run, "cluster-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            long sent = System.nanoTime();
            try {
                JsonNode status = cluster.status();
                long received = System.nanoTime();
                for (int i = 0; i < cluster.workerCount(); i++) {
                    JsonNode member = null;
                    for (JsonNode w : status.path("workers")) {
                        if (w.path("id").asText().equals(cluster.workerId(i))) {
                            member = w;
                        }
                    }
                    observations.computeIfAbsent(cluster.workerId(i), id -> new CopyOnWriteArrayList<>())
                            .add(new Observation(sent, received, member != null,
                                    member != null && member.path("alive").asBoolean()));
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // the balancer is down or restarting: no observation
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** When an answer first showed the worker listed but not alive after {@code afterNanos}; -1 if none yet. */
    long firstSeenDead(String workerId, long afterNanos) {
        for (Observation o : observations.getOrDefault(workerId, List.of())) {
            if (o.sentNanos() > afterNanos && o.listed() && !o.alive()) {
                return o.receivedNanos();
            }
        }
        return -1;
    }

    /** When an answer first showed the worker alive after it was seen dead after {@code afterNanos}; -1 if none yet. */
    long firstSeenAliveAgain(String workerId, long afterNanos) {
        long dead = firstSeenDead(workerId, afterNanos);
        if (dead < 0) {
            return -1;
        }
        for (Observation o : observations.getOrDefault(workerId, List.of())) {
            if (o.sentNanos() > dead && o.alive()) {
                return o.receivedNanos();
            }
        }
        return -1;
    }

    /**
     * The spans in which the balancer certainly held the worker dead: from the answer of the first observation
     * of a run of "dead" answers to the asking of the last one of that run (dead lasts until a renewal, so it held
     * in between).
     */
    List<DeadWindow> deadWindows(String workerId) {
        List<DeadWindow> windows = new ArrayList<>();
        Observation first = null;
        Observation last = null;
        for (Observation o : observations.getOrDefault(workerId, List.of())) {
            boolean dead = o.listed() && !o.alive();
            if (dead) {
                first = first == null ? o : first;
                last = o;
            } else if (first != null) {
                windows.add(new DeadWindow(first.receivedNanos(), last.sentNanos()));
                first = null;
            }
        }
        if (first != null) {
            windows.add(new DeadWindow(first.receivedNanos(), last.sentNanos()));
        }
        return windows;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
    }
}
