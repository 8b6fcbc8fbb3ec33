package io.tophat.client;

import java.time.Duration;

/** What a worker's answer to one heartbeat means for the producer. */
sealed interface PostOutcome {

    /** 2xx: the heartbeat is stored. */
    record Acknowledged() implements PostOutcome {
    }

    /** 4xx other than 409, 410, 429: the heartbeat itself is bad; sending it again would not help. */
    record Rejected(int status, String message) implements PostOutcome {
    }

    /** 503 or 429: the worker is overloaded; wait {@code retryAfter} (null when it did not say) and try it again. */
    record Overloaded(Duration retryAfter, String message) implements PostOutcome {
    }

    /** 409 (the producer belongs to another worker), 410 (the worker drains) or a stray redirect: ask the balancer. */
    record Moved(int status, String message) implements PostOutcome {
    }

    /** No answer, or a 5xx other than 503: the worker is failing; ask the balancer for another one. */
    record WorkerFailed(String message) implements PostOutcome {
    }
}
