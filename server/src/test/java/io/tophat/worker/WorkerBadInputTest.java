package io.tophat.worker;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

@Timeout(60)
class WorkerBadInputTest {
    private static final String GOOD = "{\"id\":\"keeper\",\"location\":{\"lat\":56.34,\"lon\":-2.79},\"data\":{\"v\":1}}";

    @TempDir
    static Path dir;
    static EmbeddedCluster cluster;
    static String worker;

    @BeforeAll
    static void start() {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 1);
        worker = "http://127.0.0.1:" + cluster.worker(0).port();
        assertThat(Http.postJson(worker + "/heartbeat", GOOD).statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static Stream<Arguments> badHeartbeats() {
        String longId = "x".repeat(500);
        return Stream.of(
                arguments("not JSON", "hello", 400, 400),
                arguments("empty body", "", 400, 400),
                arguments("a JSON array", "[1,2]", 400, 422),
                arguments("an empty object", "{}", 400, 422),
                arguments("no location", "{\"id\":\"a\",\"data\":1}", 400, 422),
                arguments("no data", "{\"id\":\"a\",\"location\":\"home\"}", 400, 422),
                arguments("no id", "{\"location\":\"home\",\"data\":1}", 400, 422),
                arguments("a 500-character id", "{\"id\":\"" + longId + "\",\"location\":\"home\",\"data\":1}", 400, 422),
                arguments("an id with a space", "{\"id\":\"a b\",\"location\":\"home\",\"data\":1}", 400, 422),
                arguments("a boolean id", "{\"id\":true,\"location\":\"home\",\"data\":1}", 400, 422),
                arguments("a fractional id", "{\"id\":1.5,\"location\":\"home\",\"data\":1}", 400, 422),
                arguments("a numeric location", "{\"id\":\"a\",\"location\":5,\"data\":1}", 400, 422),
                arguments("latitude out of range", "{\"id\":\"a\",\"location\":{\"lat\":91,\"lon\":0},\"data\":1}", 400, 422),
                arguments("latitude as text", "{\"id\":\"a\",\"location\":{\"lat\":\"n\",\"lon\":0},\"data\":1}", 400, 422),
                arguments("a negative seq", "{\"id\":\"a\",\"location\":\"home\",\"data\":1,\"seq\":-1}", 400, 422),
                arguments("a fractional seq", "{\"id\":\"a\",\"location\":\"home\",\"data\":1,\"seq\":1.5}", 400, 422),
                arguments("trailing content", "{\"id\":\"a\",\"location\":\"home\",\"data\":1} x", 400, 400),
                arguments("unterminated data", "{\"id\":\"a\",\"location\":\"home\",\"data\":[1,2", 400, 400),
                arguments("data nested 5000 deep",
                        "{\"id\":\"a\",\"location\":\"home\",\"data\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, 400),
                arguments("a body of two megabytes",
                        "{\"id\":\"a\",\"location\":\"home\",\"data\":\"" + "x".repeat(2 << 20) + "\"}", 413, 413));
    }

    @ParameterizedTest(name = "the seed heartbeat path answers {2} to {0} and stores nothing")
    @MethodSource("badHeartbeats")
    void seedHeartbeatRejectsBadInput(String name, String body, int seedStatus, int v1Status) {
        long before = cluster.worker(0).store().historySize();
        HttpResponse<String> r = Http.post(worker + "/heartbeat", "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertJsonError(r, seedStatus);
        assertThat(cluster.worker(0).store().historySize()).isEqualTo(before);
        assertKeeperUnchanged();
    }

    @ParameterizedTest(name = "the API v1 heartbeat path answers {3} to {0} and stores nothing")
    @MethodSource("badHeartbeats")
    void apiHeartbeatRejectsBadInput(String name, String body, int seedStatus, int v1Status) {
        long before = cluster.worker(0).store().historySize();
        HttpResponse<String> r = Http.post(worker + "/api/v1/heartbeats", "application/json",
                body.getBytes(StandardCharsets.UTF_8));
        assertJsonError(r, v1Status);
        assertThat(cluster.worker(0).store().historySize()).isEqualTo(before);
        assertKeeperUnchanged();
    }

    @ParameterizedTest(name = "{0} takes a chunked body and refuses one over the limit with 413")
    @MethodSource("heartbeatPaths")
    void chunkedBodiesAreReadUpToTheLimit(String path) {
        long before = cluster.worker(0).store().historySize();
        String big = "{\"id\":\"a\",\"location\":\"home\",\"data\":\"" + "x".repeat(2 << 20) + "\"}";
        assertJsonError(Http.postChunked(worker + path, "application/json", big.getBytes(StandardCharsets.UTF_8)), 413);
        assertThat(cluster.worker(0).store().historySize()).isEqualTo(before);
        assertKeeperUnchanged();

        String small = "{\"id\":\"chunked\",\"location\":\"home\",\"data\":{\"via\":\"" + path + "\"}}";
        HttpResponse<String> ok = Http.postChunked(worker + path, "application/json", small.getBytes(StandardCharsets.UTF_8));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(Http.get(worker + "/get_data/chunked").body()).isEqualTo("{\"via\":\"" + path + "\"}");
    }

    static Stream<String> heartbeatPaths() {
        return Stream.of("/heartbeat", "/api/v1/heartbeats");
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                arguments("a Content-Length that is not a number", "POST /heartbeat HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Length: 12abc\r\n\r\n{}", 400, "malformed HTTP request"),
                arguments("a request line over 8 KiB", "GET /get_data/" + "x".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                        414, "request line too long"),
                arguments("headers over 8 KiB", "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(9000)
                        + "\r\n\r\n", 431, "request headers too large"));
    }

    @ParameterizedTest(name = "{0} is answered {2} with a JSON error and the connection closed")
    @MethodSource("malformedRequests")
    void requestsTheHttpLayerCannotReadGetAJsonError(String name, String request, int status, String error)
            throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", cluster.worker(0).port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            // HTTP/1.0 when the request line itself could not be read: the client's version is unknown then
            assertThat(answer).matches("(?s)HTTP/1\\.[01] " + status + " .*");
            assertThat(answer.toLowerCase()).contains("content-type: application/json").contains("connection: close");
            assertThat(answer).contains("{\"error\":\"" + error + "\"");
        }
        assertKeeperUnchanged();
    }

    @Test
    void theApiHeartbeatPathAsksForJsonWhenSentText() {
        HttpResponse<String> r = Http.post(worker + "/api/v1/heartbeats", "text/plain", GOOD.getBytes(StandardCharsets.UTF_8));
        assertJsonError(r, 415);
    }

    static Stream<Arguments> badReads() {
        String longId = "x".repeat(500);
        return Stream.of(
                arguments("/get_data/" + longId, 400),
                arguments("/get_data/a%20b", 400),
                arguments("/get_data/nobody", 400),
                arguments("/get_data_location/" + "y".repeat(300), 400),
                arguments("/get_data_location/nowhere", 400),
                arguments("/api/v1/producers/" + longId, 400),
                arguments("/api/v1/producers/nobody", 404),
                arguments("/api/v1/producers/keeper/history?from=abc", 400),
                arguments("/api/v1/producers/keeper/history?limit=0", 400),
                arguments("/api/v1/producers/keeper/history?limit=99999999", 400),
                arguments("/api/v1/producers/keeper/history?from=10&to=5", 400),
                arguments("/no/such/path", 404));
    }

    @ParameterizedTest(name = "GET {0} answers {1} with a JSON error")
    @MethodSource("badReads")
    void readsRejectBadInput(String path, int status) {
        assertJsonError(Http.get(worker + path), status);
    }

    @Test
    void aWrongMethodGetsAJsonError() {
        assertJsonError(Http.send("DELETE", worker + "/heartbeat", null), 405);
    }

    private static void assertKeeperUnchanged() {
        HttpResponse<String> r = Http.get(worker + "/get_data/keeper");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"v\":1}");
    }

    static void assertJsonError(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(r.body()).startsWith("{\"error\":\"");
    }
}
