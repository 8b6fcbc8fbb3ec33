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
                arguments("a device_time an hour ahead of the worker's clock", "{\"id\":\"a\",\"location\":\"home\",\"data\":1,"
                        + "\"device_time\":" + (System.currentTimeMillis() + 3_600_000) + "}", 400, 422),
                arguments("a negative seq", "{\"id\":\"a\",\"location\":\"home\",\"data\":1,\"seq\":-1}", 400, 422),
                arguments("a fractional seq", "{\"id\":\"a\",\"location\":\"home\",\"data\":1,\"seq\":1.5}", 400, 422),
                arguments("trailing content", "{\"id\":\"a\",\"location\":\"home\",\"data\":1} x", 400, 400),
                arguments("unterminated data", "{\"id\":\"a\",\"location\":\"home\",\"data\":[1,2", 400, 400),
                arguments("data nested 5000 deep",
                        "{\"id\":\"a\",\"location\":\"home\",\"data\":" + "[".repeat(5000) + "]".repeat(5000) + "}", 400, 422),
                arguments("data nested 65 deep, one over the limit",
                        "{\"id\":\"a\",\"location\":\"home\",\"data\":" + "[".repeat(65) + "]".repeat(65) + "}", 400, 422),
                arguments("a number of 1001 digits", "{\"id\":\"a\",\"location\":\"home\",\"data\":" + "9".repeat(1001) + "}", 400, 422),
                arguments("a lone high surrogate escape", "{\"id\":\"a\",\"location\":\"home\",\"data\":\"\\ud800\"}", 400, 422),
                arguments("a lone low surrogate escape", "{\"id\":\"a\",\"location\":\"home\",\"data\":[\"x\\uDC00\"]}", 400, 422),
                arguments("a high surrogate before a non-surrogate escape",
                        "{\"id\":\"a\",\"location\":\"\\ud83d\\u0041\",\"data\":1}", 400, 422),
                arguments("a lone surrogate in a member name", "{\"id\":\"a\",\"location\":\"home\",\"data\":{\"\\udfff\":1}}", 400, 422),
                arguments("a duplicate member in data", "{\"id\":\"a\",\"location\":\"home\",\"data\":{\"k\":1,\"k\":2}}", 400, 400),
                arguments("a duplicate data member", "{\"id\":\"a\",\"location\":\"home\",\"data\":1,\"data\":2}", 400, 400),
                arguments("lng without lon", "{\"id\":\"a\",\"location\":{\"lat\":1,\"lng\":2},\"data\":1}", 400, 422),
                arguments("an infinite accuracy", "{\"id\":\"a\",\"location\":{\"lat\":1,\"lon\":2,\"accuracy\":1e999},\"data\":1}", 400, 422),
                arguments("a body of two megabytes",
                        "{\"id\":\"a\",\"location\":\"home\",\"data\":\"" + "x".repeat(2 << 20) + "\"}", 413, 413));
    }

    @ParameterizedTest(name = "the seed heartbeat path answers {2} to {0} and stores nothing")
    @MethodSource("badHeartbeats")
    void seed_heartbeat_rejects_bad_input(String name, String body, int seedStatus, int v1Status) {
        long before = cluster.worker(0).store().historySize();
        HttpResponse<String> r = Http.post(worker + "/heartbeat", "application/json", body.getBytes(StandardCharsets.UTF_8));
        assertJsonError(r, seedStatus);
        assertThat(cluster.worker(0).store().historySize()).isEqualTo(before);
        assertKeeperUnchanged();
    }

    @ParameterizedTest(name = "the API v1 heartbeat path answers {3} to {0} and stores nothing")
    @MethodSource("badHeartbeats")
    void api_heartbeat_rejects_bad_input(String name, String body, int seedStatus, int v1Status) {
        long before = cluster.worker(0).store().historySize();
        HttpResponse<String> r = Http.post(worker + "/api/v1/heartbeats", "application/json",
                body.getBytes(StandardCharsets.UTF_8));
        assertJsonError(r, v1Status);
        assertThat(cluster.worker(0).store().historySize()).isEqualTo(before);
        assertKeeperUnchanged();
    }

    static Stream<Arguments> badEncodings() {
        return Stream.of(
                arguments("an overlong '/' (C0 AF)", new byte[]{(byte) 0xC0, (byte) 0xAF}),
                arguments("an overlong NUL (C0 80)", new byte[]{(byte) 0xC0, (byte) 0x80}),
                arguments("a three-byte overlong (E0 80 AF)", new byte[]{(byte) 0xE0, (byte) 0x80, (byte) 0xAF}),
                arguments("a CESU-8 surrogate (ED A0 80)", new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                arguments("a code point above U+10FFFF (F4 90 80 80)", new byte[]{(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
                arguments("a five-byte form (F8 88 80 80 80)", new byte[]{(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}),
                arguments("a stray continuation byte (80)", new byte[]{(byte) 0x80}),
                arguments("a truncated character (E2 82)", new byte[]{(byte) 0xE2, (byte) 0x82}),
                arguments("a Latin-1 e-acute (E9)", new byte[]{(byte) 0xE9}));
    }

    @ParameterizedTest(name = "a string holding {0} is refused with 400 on both heartbeat paths and stores nothing")
    @MethodSource("badEncodings")
    void bodies_that_are_not_utf8_are_refused(String name, byte[] bad) {
        for (String path : new String[]{"/heartbeat", "/api/v1/heartbeats"}) {
            for (String field : new String[]{"data", "location", "id"}) {
                long before = cluster.worker(0).store().historySize();
                byte[] body = utf8Body(field, bad);
                HttpResponse<String> r = Http.post(worker + path, "application/json", body);
                assertJsonError(r, 400);
                assertThat(r.body()).contains("invalid UTF-8");
                assertThat(cluster.worker(0).store().historySize()).isEqualTo(before);
            }
        }
        assertKeeperUnchanged();
    }

    private static byte[] utf8Body(String field, byte[] bad) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        String id = field.equals("id") ? "\"a" : "\"enc";
        out.writeBytes(("{\"id\":" + id).getBytes(StandardCharsets.US_ASCII));
        if (field.equals("id")) {
            out.writeBytes(bad);
        }
        out.writeBytes("\",\"location\":\"x".getBytes(StandardCharsets.US_ASCII));
        if (field.equals("location")) {
            out.writeBytes(bad);
        }
        out.writeBytes("\",\"data\":\"y".getBytes(StandardCharsets.US_ASCII));
        if (field.equals("data")) {
            out.writeBytes(bad);
        }
        out.writeBytes("\"}".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void data_nested_exactly_to_the_limit_is_kept() {
        String data = "[".repeat(64) + "]".repeat(64);
        assertThat(Http.postJson(worker + "/api/v1/heartbeats",
                "{\"id\":\"deep\",\"location\":\"home\",\"data\":" + data + "}").statusCode()).isEqualTo(200);
        assertThat(Http.get(worker + "/get_data/deep").body()).isEqualTo(data);
    }

    @ParameterizedTest(name = "{0} takes a chunked body and refuses one over the limit with 413")
    @MethodSource("heartbeatPaths")
    void chunked_bodies_are_read_up_to_the_limit(String path) {
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
    void requests_the_http_layer_cannot_read_get_a_json_error(String name, String request, int status, String error)
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
    void the_api_heartbeat_path_asks_for_json_when_sent_text() {
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
    void reads_reject_bad_input(String path, int status) {
        assertJsonError(Http.get(worker + path), status);
    }

    @Test
    void a_wrong_method_gets_a_json_error() {
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
