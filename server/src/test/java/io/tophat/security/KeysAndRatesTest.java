package io.tophat.security;

import io.tophat.testing.Http;
import io.tophat.testing.SecuredCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Keys that reach the workers and leave them again, and the rate limits of producers and keys. */
@Timeout(120)
class KeysAndRatesTest {
    /** The embedded cluster's lease interval: a revoked key is refused by every worker within it. */
    private static final Duration LEASE = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void a_revoked_key_is_refused_by_the_balancer_at_once_and_by_every_worker_within_a_lease_interval() {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 2)) {
            String key = cluster.issueKey("short-lived", List.of(), List.of(), List.of("read"));
            send(cluster, "walker");
            String worker = workerOf(cluster, "walker");
            await().atMost(SecuredCluster.keyPropagation()).untilAsserted(() ->
                    assertThat(Http.send("GET", worker + "/api/v1/producers/walker", null, key).statusCode())
                            .isEqualTo(200));

            cluster.revokeKey("short-lived");
            long revokedAt = System.nanoTime();
            assertThat(Http.send("GET", cluster.balancer() + "/api/v1/producers/walker", null, key).statusCode())
                    .as("the balancer, at once").isEqualTo(401);
            await().atMost(LEASE.multipliedBy(2)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                    assertThat(Http.send("GET", worker + "/api/v1/producers/walker", null, key).statusCode())
                            .as("the worker").isEqualTo(401));
            System.out.printf("the worker refused the revoked key %d ms after the revocation%n",
                    (System.nanoTime() - revokedAt) / 1_000_000);
            assertThat(Http.send("GET", worker + "/api/v1/producers/walker", null, cluster.clusterSecret())
                    .statusCode()).as("the data is still there").isEqualTo(200);
        }
    }

    @Test
    void a_producer_beyond_its_burst_gets_429_with_retry_after_and_other_producers_are_not_slowed() {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 1)) {
            String worker = send(cluster, "chatty");
            List<Integer> statuses = new ArrayList<>();
            HttpResponse<String> limited = null;
            for (int i = 0; i < 80 && limited == null; i++) {
                HttpResponse<String> r = heartbeat(cluster, worker, "chatty", i);
                statuses.add(r.statusCode());
                if (r.statusCode() == 429) {
                    limited = r;
                }
            }
            assertThat(limited).as("a 429 within 80 heartbeats: " + statuses).isNotNull();
            assertThat(statuses.indexOf(429)).as("heartbeats accepted before the first 429")
                    .isBetween(49, 60);
            assertThat(limited.headers().firstValue("retry-after")).hasValueSatisfying(
                    v -> assertThat(Integer.parseInt(v)).isPositive());
            assertThat(limited.body()).contains("\"error\":\"too many requests\"");
            assertThat(heartbeat(cluster, send(cluster, "quiet"), "quiet", 0).statusCode())
                    .as("another producer at the same moment").isEqualTo(200);
        }
    }

    @Test
    void a_key_beyond_its_rate_gets_429_with_retry_after() {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 1)) {
            send(cluster, "watched");
            String slow = cluster.issueKey("slow", List.of(), List.of(), List.of("read"), 2);
            String other = cluster.issueKey("other", List.of(), List.of(), List.of("read"));
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                statuses.add(Http.send("GET", cluster.balancer() + "/api/v1/producers/watched", null, slow).statusCode());
            }
            assertThat(statuses).contains(307, 429);
            HttpResponse<String> limited = Http.send("GET", cluster.balancer() + "/api/v1/producers/watched", null, slow);
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("retry-after")).isPresent();
            assertThat(Http.send("GET", cluster.balancer() + "/api/v1/producers/watched", null, other).statusCode())
                    .as("another key").isEqualTo(307);
        }
    }

    /** Registers {@code producer} and sends it one heartbeat; returns its worker's URL. */
    private static String send(SecuredCluster cluster, String producer) {
        HttpResponse<String> assigned = Http.send("GET", cluster.balancer() + "/register/" + producer + "?token="
                + cluster.token(producer), null, null);
        assertThat(assigned.statusCode()).isEqualTo(200);
        String worker = assigned.body().strip();
        assertThat(heartbeat(cluster, worker, producer, -1).statusCode()).isEqualTo(200);
        return worker;
    }

    private static HttpResponse<String> heartbeat(SecuredCluster cluster, String worker, String producer, int n) {
        return Http.send("POST", worker + "/api/v1/heartbeats", "{\"id\":\"" + producer
                + "\",\"location\":{\"lat\":56.34,\"lon\":-2.79},\"data\":{\"n\":" + n + "}}", cluster.token(producer));
    }

    private static String workerOf(SecuredCluster cluster, String producer) {
        String location = Http.send("GET", cluster.balancer() + "/api/v1/producers/" + producer, null,
                cluster.clusterSecret()).headers().firstValue("location").orElseThrow();
        return location.substring(0, location.indexOf("/api/"));
    }
}
