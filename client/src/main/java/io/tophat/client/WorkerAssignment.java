package io.tophat.client;

import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which worker a producer sends to, and how it gets another: registers with the balancers, names a worker that
 * failed it ({@code ?failed=}) on the next registration, and counts re-registrations. Changed only under the
 * producer's delivery lock; the current worker and the count may be read from any thread.
 */
final class WorkerAssignment {
    private static final System.Logger LOG = System.getLogger(TopHatProducer.class.getName());

    private final String producerId;
    private final BalancerClient balancer;
    private volatile URI worker;
    private URI failedWorker;
    private boolean registered;
    private final AtomicLong reRegistrations = new AtomicLong();

    WorkerAssignment(String producerId, BalancerClient balancer) {
        this.producerId = producerId;
        this.balancer = balancer;
    }

    /** The worker to send to, or null when the producer must register first. */
    URI worker() {
        return worker;
    }

    /**
     * Asks the balancers for a worker (naming the one that failed, if any) and makes it the current one.
     *
     * @throws TopHatException when no balancer assigned one
     */
    URI register() throws InterruptedException {
        URI previous = failedWorker;
        URI assigned = balancer.register(producerId, failedWorker);
        if (registered) {
            reRegistrations.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "producer {0} now sends to {1}{2}", producerId, assigned,
                    previous == null ? "" : " instead of " + previous);
        }
        registered = true;
        failedWorker = null;
        worker = assigned;
        return assigned;
    }

    /** The current worker did not answer, or answered 5xx: register again, naming it. */
    void workerFailed() {
        if (worker != null) {
            failedWorker = worker;
        }
        worker = null;
    }

    /** The current worker sent the producer away (409, 410): register again, without blame. */
    void moved() {
        worker = null;
    }

    /** Times a worker was assigned after the first registration; may be read from any thread. */
    long reRegistrations() {
        return reRegistrations.get();
    }
}
