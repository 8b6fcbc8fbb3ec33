package io.tophat.bench;

import io.vertx.core.http.HttpMethod;

import java.util.List;

/**
 * Producers registering, each request a new one: wrk's {@link WrkScript#REGISTER} asks {@code GET /register/{id}}
 * for ids {@code first + t * 10^9 + 1, 2, ...} on wrk thread t. Only wrk sends it (the builtin generator encodes
 * its targets once, and a million distinct ones are not what it is for); {@link #targets()} names the first.
 *
 * @param first          the start of this run's ids; two runs whose firsts are at least 10^10 apart share none
 * @param limitPerThread a wrk thread stops once this many of its requests were answered (0: at the run's end)
 */
record RegistrationMix(long first, long limitPerThread) implements RequestMix {
    /** The ids a run may use: wrk threads take 10^9 each, and a run fewer than ten threads. */
    static final long IDS_PER_RUN = 10_000_000_000L;

    @Override
    public HttpMethod method() {
        return HttpMethod.GET;
    }

    @Override
    public List<String> targets() {
        return List.of("/register/" + (first + 1));
    }

    @Override
    public int target(long n) {
        return 0;
    }
}
