package io.tophat.bench;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One load run: who is loaded, with what, and how hard.
 *
 * @param label       a name for the run in reports, for example {@code redirect} or {@code reference /health}
 * @param target      the server, {@code http://HOST:PORT}; the mix supplies paths
 * @param mix         the requests
 * @param connections how many connections are open at once (each carries one request at a time)
 * @param threads     event loops of the load generator; connections are spread over them
 * @param keepAlive   true: every connection carries many requests; false: one connection per request (the
 *                    client asks for {@code Connection: close}), as {@code ab} without {@code -k}
 * @param warmup      load applied before measuring starts (not reported)
 * @param duration    how long the measured part runs (ignored when {@code requests} is set)
 * @param requests    when positive: send exactly this many requests and stop (as {@code ab -n}), after a
 *                    separate warmup run of length {@code warmup} on other connections
 * @param rate        when positive: open loop at this many requests per second over all connections, latency
 *                    measured from each request's intended send time (coordinated omission corrected); when
 *                    zero: closed loop, each connection sends its next request when the previous one is answered
 * @param timeout     the longest a connect or an answer may take before the request counts as a timeout
 * @param progress    how often a progress line is produced; {@link Duration#ZERO} for none
 * @param answerListener told of every answer, or null (the default) for nobody; see {@link AnswerListener}
 */
public record LoadPlan(String label, URI target, RequestMix mix, int connections, int threads, boolean keepAlive,
                       Duration warmup, Duration duration, long requests, double rate, Duration timeout,
                       Duration progress, AnswerListener answerListener) {

    /**
     * Told of each answer the generator reads (whatever its status, warmup included, and also answers that
     * arrive after the measured part ended), so a caller can tell exactly which requests a server acknowledged,
     * for example which heartbeats it promised to have stored. Requests without an answer (refused, reset,
     * timed out) are not reported. A counted plan with a warmup numbers its separate warmup run from 0 as well,
     * so there a number can be heard twice.
     *
     * <p>Called on the event loop that read the answer, before it sends that connection's next request, so it
     * must be quick, must not block, and must be safe to call from several event loops at once (a plan with
     * {@code threads > 1}). Without a listener the generator's hot path does not change.
     */
    @FunctionalInterface
    public interface AnswerListener {
        /**
         * @param n      the request's number, as the mix numbers it ({@link RequestMix#target(long)},
         *               {@link RequestMix#fillBody}); {@link HeartbeatMix#producerId(long)} and
         *               {@link HeartbeatMix#seq(long)} turn it into the heartbeat's identity
         * @param status the answer's HTTP status code
         */
        void answered(long n, int status);
    }

    /** A plan without an answer listener. */
    public LoadPlan(String label, URI target, RequestMix mix, int connections, int threads, boolean keepAlive,
                    Duration warmup, Duration duration, long requests, double rate, Duration timeout,
                    Duration progress) {
        this(label, target, mix, connections, threads, keepAlive, warmup, duration, requests, rate, timeout, progress,
                null);
    }

    public LoadPlan {
        require(target != null && target.getHost() != null && target.getPort() > 0,
                "the target must be http://HOST:PORT, not " + target);
        require(mix != null, "a request mix is needed");
        require(connections >= 1 && connections <= 100_000, "connections must be between 1 and 100000, not " + connections);
        require(threads >= 1 && threads <= 64, "threads must be between 1 and 64, not " + threads);
        require(!warmup.isNegative(), "the warmup must not be negative");
        require(requests > 0 || duration.toMillis() >= 1, "the duration must be at least 1ms");
        require(requests >= 0, "requests must not be negative");
        require(rate >= 0 && !Double.isNaN(rate) && !Double.isInfinite(rate), "the rate must be a positive number or 0");
        require(timeout.toMillis() >= 1, "the timeout must be at least 1ms");
        require(!progress.isNegative(), "the progress interval must not be negative");
        threads = Math.min(threads, connections);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A closed-loop plan with a 10 s timeout and no progress lines; adjust with the {@code with...} methods. */
    public static LoadPlan closedLoop(String label, URI target, RequestMix mix, int connections, Duration duration) {
        return new LoadPlan(label, target, mix, connections, 2, true, Duration.ZERO, duration, 0, 0,
                Duration.ofSeconds(10), Duration.ZERO, null);
    }

    public boolean openLoop() {
        return rate > 0;
    }

    public boolean counted() {
        return requests > 0;
    }

    public LoadPlan withLabel(String newLabel) {
        return new LoadPlan(newLabel, target, mix, connections, threads, keepAlive, warmup, duration, requests, rate,
                timeout, progress, answerListener);
    }

    /**
     * The same load sent to another server with another mix (for the reference run); without the answer
     * listener, which was told about this plan's server.
     */
    public LoadPlan withTarget(String newLabel, URI newTarget, RequestMix newMix) {
        return new LoadPlan(newLabel, newTarget, newMix, connections, threads, keepAlive, warmup, duration, requests,
                rate, timeout, progress, null);
    }

    public LoadPlan withThreads(int n) {
        return new LoadPlan(label, target, mix, connections, n, keepAlive, warmup, duration, requests, rate, timeout,
                progress, answerListener);
    }

    public LoadPlan withKeepAlive(boolean on) {
        return new LoadPlan(label, target, mix, connections, threads, on, warmup, duration, requests, rate, timeout,
                progress, answerListener);
    }

    public LoadPlan withWarmup(Duration d) {
        return new LoadPlan(label, target, mix, connections, threads, keepAlive, d, duration, requests, rate, timeout,
                progress, answerListener);
    }

    public LoadPlan withDuration(Duration d) {
        return new LoadPlan(label, target, mix, connections, threads, keepAlive, warmup, d, 0, rate, timeout, progress,
                answerListener);
    }

    /** Send exactly {@code n} requests instead of running for a duration. */
    public LoadPlan withRequests(long n) {
        return new LoadPlan(label, target, mix, connections, threads, keepAlive, warmup, duration, n, rate, timeout,
                progress, answerListener);
    }

    public LoadPlan withRate(double perSecond) {
        return new LoadPlan(label, target, mix, connections, threads, keepAlive, warmup, duration, requests, perSecond,
                timeout, progress, answerListener);
    }

    public LoadPlan withTimeout(Duration d) {
        return new LoadPlan(label, target, mix, connections, threads, keepAlive, warmup, duration, requests, rate, d,
                progress, answerListener);
    }

    /** Tells {@code listener} of every answer (null: nobody). */
    public LoadPlan withAnswerListener(AnswerListener listener) {
        return new LoadPlan(label, target, mix, connections, threads, keepAlive, warmup, duration, requests, rate,
                timeout, progress, listener);
    }

    /** The plan's shape, for {@code --json}: label, target (with the first request's path), method, connections... */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("label", label);
        out.put("target", target.toString() + mix.uri(0));
        out.put("method", mix.method().name());
        out.put("connections", connections);
        out.put("keep_alive", keepAlive);
        out.put("mode", openLoop() ? "open" : "closed");
        if (openLoop()) {
            out.put("rate", rate);
        }
        if (counted()) {
            out.put("requests_planned", requests);
        }
        return out;
    }

    public LoadPlan withProgress(Duration every) {
        return new LoadPlan(label, target, mix, connections, threads, keepAlive, warmup, duration, requests, rate,
                timeout, every, answerListener);
    }
}
