package io.tophat.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.testing.Http;
import io.tophat.testing.SecuredCluster;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every endpoint of both servers, called with every kind of credential that must not get in: none, a wrong one,
 * a revoked key, a key outside its scope, another producer's token. Each gets its documented status with a JSON
 * error, and afterwards nothing in any store or in the cluster's state has changed.
 */
@Timeout(180)
class CredentialsMatrixTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALICE = "alice";
    private static final String BOB = "bob";

    @TempDir
    Path dir;

    /** Who an endpoint lets in. */
    enum Door { CLUSTER, PRODUCER, CONSUMER }

    /** One endpoint: its door, its operation for consumer endpoints, and whether it names a producer (bob). */
    record Endpoint(String server, String method, String path, String body, Door door, String op) {
    }

    /** A credential that must not pass a door, and what each door answers it. */
    record Intruder(String name, String credential, Map<Door, Integer> expected) {
    }

    @Test
    void no_credential_that_does_not_belong_gets_in_anywhere_and_nothing_changes() throws Exception {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 2)) {
            String balancer = cluster.balancer().toString();
            String all = cluster.issueKey("everything", List.of(), List.of(),
                    List.of("read", "stream", "near", "export", "erase"));
            String aliceOnly = cluster.issueKey("alice-only", List.of(ALICE), List.of(),
                    List.of("read", "stream", "near", "export", "erase"));
            String readOnly = cluster.issueKey("read-only", List.of(), List.of(), List.of("read"));
            String revoked = cluster.issueKey("revoked", List.of(), List.of(), List.of("read", "erase"));
            cluster.revokeKey("revoked");
            send(cluster, ALICE, 56.34, -2.79);
            send(cluster, BOB, 56.35, -2.80);
            assertThat(Http.send("POST", balancer + "/api/v1/areas",
                    "{\"name\":\"harbour\",\"lat\":56.34,\"lon\":-2.79,\"radius_m\":150}", all).statusCode()).isEqualTo(201);
            String worker = workerOf(balancer, BOB, cluster.clusterSecret());
            String workerId = URI.create(worker).getAuthority();
            await().atMost(SecuredCluster.keyPropagation()).untilAsserted(() -> assertThat(Http.send("GET",
                    worker + "/api/v1/producers/" + BOB, null, all).statusCode()).as("the key reached the worker")
                    .isEqualTo(200));

            Map<String, String> before = snapshot(balancer, cluster.clusterSecret());
            SoftAssertions soft = new SoftAssertions();
            int calls = 0;
            for (Endpoint e : endpoints(balancer, worker, workerId)) {
                for (Intruder intruder : intruders(cluster, revoked, aliceOnly, readOnly, all, e)) {
                    Integer expected = intruder.expected().get(e.door());
                    if (expected == null) {
                        continue;
                    }
                    HttpResponse<String> r = Http.send(e.method(), e.path(), e.body(), intruder.credential());
                    calls++;
                    String call = e.method() + " " + e.path() + " with " + intruder.name() + " -> " + r.body();
                    soft.assertThat(r.statusCode()).as(call).isEqualTo(expected);
                    soft.assertThat(r.headers().firstValue("content-type")).as(call).hasValueSatisfying(
                            t -> assertThat(t).startsWith("application/json"));
                    soft.assertThat(r.body()).as(call).contains("\"error\"").doesNotContain(cluster.clusterSecret());
                    if (expected == 401) {
                        soft.assertThat(r.headers().firstValue("www-authenticate")).as(call).isPresent();
                    }
                }
            }
            soft.assertAll();
            assertThat(calls).isGreaterThan(150);
            assertThat(snapshot(balancer, cluster.clusterSecret())).as("the stores and the cluster's state")
                    .isEqualTo(before);
        }
    }

    private static List<Endpoint> endpoints(String b, String w, String workerId) {
        String area = "{\"name\":\"intruders\",\"lat\":1,\"lon\":1,\"radius_m\":10}";
        String beat = "{\"id\":\"" + ALICE + "\",\"location\":{\"lat\":1,\"lon\":1},\"data\":{\"forged\":true}}";
        String batch = "[{\"location\":{\"lat\":1,\"lon\":1},\"data\":{\"forged\":true}}]";
        List<Endpoint> list = new ArrayList<>(List.of(
                // the balancer: the cluster's own calls and the operators'
                new Endpoint("balancer", "GET", b + "/balancer/9", null, Door.CLUSTER, null),
                new Endpoint("balancer", "GET", b + "/worker/quit/" + URI.create(w).getPort(), null, Door.CLUSTER, null),
                new Endpoint("balancer", "POST", b + "/api/v1/workers", "{\"url\":\"http://127.0.0.1:9\"}", Door.CLUSTER, null),
                new Endpoint("balancer", "PUT", b + "/api/v1/workers/" + workerId + "/lease", "{}", Door.CLUSTER, null),
                new Endpoint("balancer", "DELETE", b + "/api/v1/workers/" + workerId, null, Door.CLUSTER, null),
                new Endpoint("balancer", "POST", b + "/api/v1/workers/" + workerId + "/drain", null, Door.CLUSTER, null),
                new Endpoint("balancer", "GET", b + "/api/v1/cluster", null, Door.CLUSTER, null),
                new Endpoint("balancer", "POST", b + "/api/v1/keys", "{\"name\":\"intruder\"}", Door.CLUSTER, null),
                new Endpoint("balancer", "GET", b + "/api/v1/keys", null, Door.CLUSTER, null),
                new Endpoint("balancer", "DELETE", b + "/api/v1/keys/everything", null, Door.CLUSTER, null),
                // the balancer: producers
                new Endpoint("balancer", "GET", b + "/register/" + ALICE, null, Door.PRODUCER, null),
                new Endpoint("balancer", "POST", b + "/api/v1/producers/" + ALICE + "/assignment?failed="
                        + java.net.URLEncoder.encode(w, java.nio.charset.StandardCharsets.UTF_8),
                        null, Door.PRODUCER, null),
                // the balancer: consumers
                new Endpoint("balancer", "GET", b + "/get_data/" + BOB, null, Door.CONSUMER, "read"),
                new Endpoint("balancer", "GET", b + "/api/v1/producers/" + BOB, null, Door.CONSUMER, "read"),
                new Endpoint("balancer", "GET", b + "/api/v1/producers", null, Door.CONSUMER, "read"),
                new Endpoint("balancer", "GET", b + "/api/v1/producers/" + BOB + "/history", null, Door.CONSUMER, "read"),
                new Endpoint("balancer", "GET", b + "/api/v1/producers/" + BOB + "/history?format=csv", null,
                        Door.CONSUMER, "export"),
                new Endpoint("balancer", "DELETE", b + "/api/v1/producers/" + BOB, null, Door.CONSUMER, "erase"),
                new Endpoint("balancer", "GET", b + "/api/v1/near?lat=56.34&lon=-2.79&radius_m=5000", null,
                        Door.CONSUMER, "near"),
                new Endpoint("balancer", "POST", b + "/api/v1/areas", area, Door.CONSUMER, "near"),
                new Endpoint("balancer", "GET", b + "/api/v1/areas", null, Door.CONSUMER, "near"),
                new Endpoint("balancer", "GET", b + "/api/v1/areas/harbour", null, Door.CONSUMER, "near"),
                new Endpoint("balancer", "DELETE", b + "/api/v1/areas/harbour", null, Door.CONSUMER, "near"),
                new Endpoint("balancer", "GET", b + "/api/v1/areas/harbour/stream", null, Door.CONSUMER, "stream"),
                new Endpoint("balancer", "GET", b + "/api/v1/producers/" + BOB + "/stream", null, Door.CONSUMER, "stream"),
                new Endpoint("balancer", "GET", b + "/api/v1/stream", null, Door.CONSUMER, "stream"),
                new Endpoint("balancer", "GET", b + "/api/v1/producers/" + BOB + "/ws", null, Door.CONSUMER, "stream"),
                new Endpoint("balancer", "GET", b + "/api/v1/ws", null, Door.CONSUMER, "stream"),
                // a worker
                new Endpoint("worker", "GET", w + "/api/v1/status", null, Door.CLUSTER, null),
                new Endpoint("worker", "POST", w + "/heartbeat", beat, Door.PRODUCER, null),
                new Endpoint("worker", "POST", w + "/api/v1/heartbeats", beat, Door.PRODUCER, null),
                new Endpoint("worker", "POST", w + "/api/v1/producers/" + ALICE + "/heartbeats", batch, Door.PRODUCER, null),
                new Endpoint("worker", "GET", w + "/get_data/" + BOB, null, Door.CONSUMER, "read"),
                new Endpoint("worker", "GET", w + "/get_data_location/56.35", null, Door.CONSUMER, "read"),
                new Endpoint("worker", "GET", w + "/api/v1/producers/" + BOB, null, Door.CONSUMER, "read"),
                new Endpoint("worker", "GET", w + "/api/v1/producers", null, Door.CONSUMER, "read"),
                new Endpoint("worker", "GET", w + "/api/v1/producers/" + BOB + "/history", null, Door.CONSUMER, "read"),
                new Endpoint("worker", "GET", w + "/api/v1/producers/" + BOB + "/history?format=geojson", null,
                        Door.CONSUMER, "export"),
                new Endpoint("worker", "DELETE", w + "/api/v1/producers/" + BOB, null, Door.CONSUMER, "erase"),
                new Endpoint("worker", "GET", w + "/api/v1/near?lat=56.34&lon=-2.79&radius_m=5000", null,
                        Door.CONSUMER, "near"),
                new Endpoint("worker", "GET", w + "/api/v1/stream", null, Door.CONSUMER, "stream"),
                new Endpoint("worker", "GET", w + "/api/v1/producers/" + BOB + "/stream", null, Door.CONSUMER, "stream"),
                new Endpoint("worker", "GET", w + "/api/v1/ws", null, Door.CONSUMER, "stream"),
                new Endpoint("worker", "GET", w + "/api/v1/producers/" + BOB + "/ws", null, Door.CONSUMER, "stream")));
        return list;
    }

    /** The credentials tried at {@code e}, each with the status every door gives it (absent: it may pass). */
    private static List<Intruder> intruders(SecuredCluster cluster, String revoked, String aliceOnly, String readOnly,
                                            String all, Endpoint e) {
        boolean namesBob = e.path().contains("/" + BOB);
        List<Intruder> list = new ArrayList<>(List.of(
                new Intruder("no credential", null, doors(401, 401, 401)),
                new Intruder("a wrong credential", "thk_" + "A".repeat(32), doors(401, 401, 401)),
                new Intruder("a revoked key", revoked, doors(401, 401, 401)),
                new Intruder("another producer's token", cluster.token(BOB), doors(401, 401, 401)),
                new Intruder("a consumer key with every operation", all, doors(401, 401, null))));
        if (namesBob) {
            list.add(new Intruder("a key for another producer", aliceOnly, doors(401, 401, 403)));
        }
        if (e.door() == Door.CONSUMER && !"read".equals(e.op())) {
            list.add(new Intruder("a key without " + e.op(), readOnly, doors(401, 401, 403)));
        }
        return list;
    }

    private static Map<Door, Integer> doors(Integer cluster, Integer producer, Integer consumer) {
        Map<Door, Integer> m = new LinkedHashMap<>();
        m.put(Door.CLUSTER, cluster);
        m.put(Door.PRODUCER, producer);
        m.put(Door.CONSUMER, consumer);
        return m;
    }

    /** What the stores and the balancer's state hold, as the cluster secret sees them. */
    private static Map<String, String> snapshot(String balancer, String secret) throws Exception {
        Map<String, String> s = new TreeMap<>();
        for (String producer : List.of(ALICE, BOB)) {
            s.put(producer + " history", Http.send("GET", balancer + "/api/v1/producers/" + producer + "/history",
                    null, secret).body());
            s.put(producer + " worker", workerOf(balancer, producer, secret));
        }
        List<String> workers = new ArrayList<>();
        for (JsonNode w : JSON.readTree(Http.send("GET", balancer + "/api/v1/cluster", null, secret).body()).get("workers")) {
            workers.add(w.get("url").asText() + " alive=" + w.get("alive").asBoolean() + " draining="
                    + w.get("draining").asBoolean());
        }
        s.put("workers", workers.toString());
        s.put("keys", Http.send("GET", balancer + "/api/v1/keys", null, secret).body());
        s.put("areas", Http.send("GET", balancer + "/api/v1/areas", null, secret).body());
        return s;
    }

    private static String workerOf(String balancer, String producer, String secret) {
        HttpResponse<String> r = Http.send("GET", balancer + "/api/v1/producers/" + producer, null, secret);
        assertThat(r.statusCode()).as("redirect for " + producer).isEqualTo(307);
        String location = r.headers().firstValue("location").orElseThrow();
        return location.substring(0, location.indexOf("/api/"));
    }

    private static void send(SecuredCluster cluster, String producer, double lat, double lon) {
        HttpResponse<String> assigned = Http.send("GET", cluster.balancer() + "/register/" + producer + "?token="
                + cluster.token(producer), null, null);
        assertThat(assigned.statusCode()).as("registration of " + producer).isEqualTo(200);
        String worker = assigned.body().strip();
        HttpResponse<String> r = Http.send("POST", worker + "/api/v1/heartbeats", "{\"id\":\"" + producer
                + "\",\"location\":{\"lat\":" + lat + ",\"lon\":" + lon + "},\"data\":{\"n\":1}}", cluster.token(producer));
        assertThat(r.statusCode()).as("heartbeat of " + producer).isEqualTo(200);
    }
}
