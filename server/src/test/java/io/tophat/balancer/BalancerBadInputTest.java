package io.tophat.balancer;

import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@Timeout(60)
class BalancerBadInputTest {
    @TempDir
    static Path dir;
    static EmbeddedCluster cluster;
    static String balancer;
    static String keeperWorker;

    @BeforeAll
    static void start() {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 1);
        balancer = cluster.balancerUri().toString();
        keeperWorker = Http.get(balancer + "/register/keeper").body();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** A holds object of {@code n} valid members (over 64 KiB from about 3,000: read off the event loops). */
    private static String manyHolds(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"producer-").append(i).append("\":").append(i + 1);
        }
        return b.toString();
    }

    static Stream<Arguments> badRequests() {
        String longId = "x".repeat(500);
        String holds = manyHolds(5000);
        String lease = "/api/v1/workers/" + Worker.idOf(keeperWorker) + "/lease";
        return Stream.of(
                // large bodies, read and checked on a worker thread, get the same answers as small ones
                arguments("POST", "/api/v1/workers", "{\"port\":6999,\"holds\":{" + holds + ",\"a b\":1}}", 422),
                arguments("POST", "/api/v1/workers", "{\"port\":6999,\"holds\":{" + holds, 400),
                arguments("PUT", lease, "{\"holds\":{" + holds + ",\"p\":-3}}", 422),
                arguments("PUT", lease, "{\"holds\":{" + holds + ",\"producer-7\":1}}", 400),
                arguments("GET", "/balancer/abc", null, 400),
                arguments("GET", "/balancer/70000", null, 400),
                arguments("GET", "/balancer/0", null, 400),
                arguments("GET", "/balancer/" + "9".repeat(30), null, 400),
                arguments("GET", "/worker/quit/abc", null, 400),
                arguments("GET", "/worker/quit/6553", null, 400),
                arguments("GET", "/register/" + longId, null, 400),
                arguments("GET", "/register/a%20b", null, 400),
                arguments("GET", "/register/ok?failed=not%20a%20url", null, 400),
                arguments("GET", "/get_data/" + longId, null, 400),
                arguments("GET", "/get_data/nobody", null, 400),
                arguments("GET", "/api/v1/producers/nobody", null, 404),
                arguments("GET", "/api/v1/producers/" + longId, null, 400),
                arguments("POST", "/api/v1/producers/" + longId + "/assignment", null, 400),
                arguments("POST", "/api/v1/workers", "garbage", 400),
                arguments("POST", "/api/v1/workers", "", 400),
                arguments("POST", "/api/v1/workers", "{\"url\":\"ftp://x\"}", 422),
                arguments("POST", "/api/v1/workers", "{\"port\":99999}", 422),
                arguments("POST", "/api/v1/workers", "{\"url\":\"" + "h".repeat(20_000) + "\"}", 422),
                arguments("POST", "/api/v1/workers", "{\"port\":6999,\"store\":\"s-1\"}", 409),
                arguments("POST", "/api/v1/workers", "{\"port\":6999,\"holds\":[1]}", 400),
                arguments("POST", "/api/v1/workers", "{\"port\":6999,\"holds\":{\"p\":\"x\"}}", 400),
                arguments("POST", "/api/v1/workers", "{\"port\":6999,\"commit_key\":-1}", 422),
                arguments("PUT", "/api/v1/workers/" + Worker.idOf(keeperWorker) + "/lease",
                        "{\"store_failing_ms\":-1}", 422),
                arguments("PUT", "/api/v1/workers/" + Worker.idOf(keeperWorker) + "/lease", "{\"commit_key\":-2}", 422),
                arguments("PUT", "/api/v1/workers/" + Worker.idOf(keeperWorker) + "/lease", "{\"holds\":7}", 400),
                arguments("PUT", "/api/v1/workers/" + Worker.idOf(keeperWorker) + "/lease",
                        "{\"holds\":{\"a b\":1}}", 422),
                arguments("PUT", "/api/v1/workers/" + Worker.idOf(keeperWorker) + "/lease",
                        "{\"holds\":{\"p\":-3}}", 422),
                arguments("PUT", "/api/v1/workers/nobody:1/lease", "{}", 404),
                arguments("PUT", "/api/v1/workers/" + Worker.idOf(keeperWorker) + "/lease", "[", 400),
                arguments("DELETE", "/api/v1/workers/nobody:1", null, 404),
                arguments("GET", "/no/such/path", null, 404),
                arguments("POST", "/get_data/keeper", "{}", 405));
    }

    @ParameterizedTest(name = "{0} {1} answers {3} with a JSON error")
    @MethodSource("badRequests")
    void bad_requests_get_a_clear_json_error(String method, String path, String body, int status) {
        HttpResponse<String> r = Http.send(method, balancer + path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).startsWith("{\"error\":\"");
        assertThat(Http.get(balancer + "/register/keeper").body()).isEqualTo(keeperWorker);
        assertThat(cluster.workerCount()).isEqualTo(1);
    }

    @Test
    void a_producer_registering_with_no_worker_online_gets_the_reports_message() {
        try (EmbeddedCluster empty = new EmbeddedCluster(dir.resolve("empty"), "127.0.0.1", c -> c).start(0, 0)) {
            HttpResponse<String> seed = Http.get(empty.balancerUri() + "/register/3000");
            assertThat(seed.statusCode()).isEqualTo(400);
            assertThat(seed.body()).contains("No workers are online right now");
            HttpResponse<String> v1 = Http.send("POST", empty.balancerUri() + "/api/v1/producers/3000/assignment", null);
            assertThat(v1.statusCode()).isEqualTo(503);
            assertThat(v1.headers().firstValue("retry-after")).isPresent();
        }
    }
}
