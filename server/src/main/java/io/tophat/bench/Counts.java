package io.tophat.bench;

import java.util.Arrays;

/** Answers by status code, failures by kind, and requests never sent: a snapshot, or the difference of two. */
final class Counts {
    static final int STATUS_SLOTS = 600;

    final long[] statuses = new long[STATUS_SLOTS];
    final long[] errors = new long[ErrorKind.values().length];
    long unsent;
    long unavailableWithoutRetryAfter;

    Counts minus(Counts earlier) {
        Counts d = new Counts();
        for (int i = 0; i < STATUS_SLOTS; i++) {
            d.statuses[i] = statuses[i] - earlier.statuses[i];
        }
        for (int i = 0; i < errors.length; i++) {
            d.errors[i] = errors[i] - earlier.errors[i];
        }
        d.unsent = unsent - earlier.unsent;
        d.unavailableWithoutRetryAfter = unavailableWithoutRetryAfter - earlier.unavailableWithoutRetryAfter;
        return d;
    }

    /** Answers of any status. */
    long answers() {
        return Arrays.stream(statuses).sum();
    }

    /** Answers with a status below 400. */
    long ok() {
        long n = 0;
        for (int i = 0; i < 400; i++) {
            n += statuses[i];
        }
        return n;
    }

    /** Answers with a status of 400 or more, plus requests that got no answer. */
    long failed() {
        return answers() - ok() + Arrays.stream(errors).sum();
    }
}
