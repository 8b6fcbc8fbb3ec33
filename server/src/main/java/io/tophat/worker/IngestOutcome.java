package io.tophat.worker;

/** How the ingest pipeline settled one heartbeat; {@link IngestHandler} turns it into the HTTP answer. */
sealed interface IngestOutcome {
    IngestOutcome STORED = new Stored();
    IngestOutcome ACCEPTED = new Accepted();

    /** Committed to the store (durable ack). */
    record Stored() implements IngestOutcome {
    }

    /** Taken into the cache, to be written at the next flush (cached ack). */
    record Accepted() implements IngestOutcome {
    }

    /** Not taken: the write queue is full or the store is too far behind. */
    record Overloaded(String reason) implements IngestOutcome {
    }

    /** Its batch failed to commit; nothing of it was stored. The reason is the store's condition, fit for a client. */
    record StoreFailed(String reason) implements IngestOutcome {
    }
}
