package io.tophat.security;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.http.JsonLimits;
import io.tophat.store.StoreTarget;
import io.tophat.testing.ConnectionCutter;
import io.tophat.testing.PgTestDatabase;
import io.tophat.testing.RawHttp;
import io.tophat.testing.SecuredCluster;
import io.tophat.testing.TmpfsMount;
import io.tophat.worker.WorkerConfig;
import io.vertx.core.Vertx;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a client reads when it gets something wrong, or when the server's store fails, with every credential on:
 * every error body is JSON {@code {"error", "detail"}} in TopHat's own words. No body repeats Jackson's or Netty's
 * messages (their class names, "Unexpected character", "at [Source"), no body names a file, a folder, a database
 * address or a credential, request text comes back at most 64 characters long, and the bounds on a JSON body
 * (nesting, number length, members per object) are answered 422 naming the bound. The malformed bodies come from
 * a printed seed ({@code -Dhygiene.seed=S} replays it, {@code -Dhygiene.print=true} prints every error body).
 */
@Timeout(180)
class ErrorHygieneTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Words of the libraries beneath, which must never reach a client. */
    private static final List<String> FOREIGN = List.of("com.fasterxml", "jackson", "Jackson", "io.netty", "Netty",
            "Exception", "Unexpected character", "Unexpected end-of-input", "at [Source", "line: ", "column: ",
            "java.", "For input string", "Illegal base64", "was expecting", "Unrecognized token", "JSON Pointer",
            "sqlite", "SQLITE", "jdbc", "postgresql://", "PSQL");
    private static final String PRODUCER = "hygiene";

    @TempDir
    Path dir;

    /** One endpoint with a JSON body, the credential that lets a body through to its parser, and a valid body. */
    record BodyEndpoint(String name, String method, String url, String credential, String valid) {
    }

    @Test
    void malformed_bodies_of_every_kind_are_answered_as_json_in_our_own_words_at_every_endpoint_with_a_body()
            throws Exception {
        long seed = Long.getLong("hygiene.seed", new Random().nextLong());
        System.out.println("ErrorHygieneTest: seed " + seed + " (replay with -Dhygiene.seed=" + seed + ")");
        Random random = new Random(seed);
        // one producer sends every heartbeat here: no rate limit, so that each body reaches the parser
        try (SecuredCluster cluster = SecuredCluster.start(dir, 1, s -> s.withAuth(s.auth(), RateLimit.NONE))) {
            String worker = workerUrl(cluster);
            String wid = URI.create(worker).getAuthority();
            SoftAssertions soft = new SoftAssertions();
            int answers = 0;
            java.util.Map<String, Integer> seen = new java.util.TreeMap<>();
            for (BodyEndpoint e : bodyEndpoints(cluster, worker, wid)) {
                for (int i = 0; i < 60; i++) {
                    Mutated body = mutate(e.valid(), random);
                    HttpResponse<String> r = send(e.method(), e.url(), body.bytes(), e.credential());
                    answers++;
                    String call = e.name() + " [" + body.how() + "] " + preview(body.bytes()) + " -> " + r.statusCode()
                            + " " + r.body();
                    soft.assertThat(r.statusCode()).as(call).isLessThan(500);
                    seen.merge(Integer.toString(r.statusCode()), 1, Integer::sum);
                    if (r.statusCode() >= 400) {
                        assertClean(soft, call, r, cluster);
                        if (Boolean.getBoolean("hygiene.print")) {
                            System.out.println("HYG " + r.statusCode() + " " + r.body());
                        }
                    }
                }
            }
            System.out.println("ErrorHygieneTest: " + answers + " malformed bodies answered, by status " + seen);
            soft.assertAll();
            assertThat(answers).isEqualTo(7 * 60);
        }
    }

    @Test
    void a_malformed_body_is_located_by_line_and_column_and_a_repeated_member_named_at_most_64_characters()
            throws Exception {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 1)) {
            String worker = workerUrl(cluster);
            String beat = worker + "/api/v1/heartbeats";
            String token = cluster.token(PRODUCER);

            JsonNode cut = errorOf(send("POST", beat, utf8("{\"id\":\"" + PRODUCER + "\",\n\"location\": "), token), 400);
            assertThat(cut.path("error").asText()).isEqualTo("malformed JSON");
            assertThat(cut.path("detail").asText()).isEqualTo("at line 2, column 13: the JSON ends before it is complete");

            JsonNode stray = errorOf(send("POST", beat, utf8("{\"id\":\"x\",\"location\":\"a\",\"data\":1,}"), token), 400);
            assertThat(stray.path("detail").asText()).matches("at line 1, column \\d+: .*");

            String longName = "n\"<script>" + "x".repeat(5000);
            JsonNode twice = errorOf(send("POST", beat, utf8("{\"id\":\"" + PRODUCER + "\",\"location\":\"a\",\"data\":{\""
                    + longName.replace("\"", "\\\"") + "\":1,\"" + longName.replace("\"", "\\\"") + "\":2}}"), token), 400);
            String detail = twice.path("detail").asText();
            assertThat(detail).contains("comes twice in one object").contains("n\"<script>xxx").hasSizeLessThan(200);

            JsonNode wrongType = errorOf(send("POST", cluster.balancer() + "/api/v1/workers",
                    utf8("{\"port\":\"six thousand\"}"), cluster.clusterSecret()), 400);
            assertThat(wrongType.path("error").asText()).isEqualTo("malformed JSON");
            assertThat(wrongType.path("detail").asText()).endsWith("port must be a whole number");

            JsonNode notAnObject = errorOf(send("POST", cluster.balancer() + "/api/v1/keys", utf8("[1,2]"),
                    cluster.clusterSecret()), 400);
            assertThat(notAnObject.path("detail").asText()).endsWith("the body must be an object");
        }
    }

    @Test
    void an_object_with_more_members_than_the_limit_is_refused_422_naming_the_limit_on_both_servers() throws Exception {
        UnaryOperator<WorkerConfig> bigBodies = c -> c.withIngest(i -> new WorkerConfig.Ingest(i.ack(), i.cacheSize(),
                i.flushInterval(), i.queueCapacity(), i.maxBatch(), 4 * 1024 * 1024, i.maxClockSkew()));
        try (SecuredCluster cluster = SecuredCluster.start(dir, 1, UnaryOperator.identity(), bigBodies)) {
            String worker = workerUrl(cluster);
            String token = cluster.token(PRODUCER);
            String limit = "an object has more than " + JsonLimits.MAX_MEMBERS + " members";

            String hundredThousand = members(100_000);
            JsonNode data = errorOf(send("POST", worker + "/api/v1/heartbeats", utf8("{\"id\":\"" + PRODUCER
                    + "\",\"location\":\"a\",\"data\":" + hundredThousand + "}"), token), 422);
            assertThat(data.path("error").asText()).isEqualTo("invalid heartbeat");
            assertThat(data.path("detail").asText()).isEqualTo(limit);
            JsonNode seed = errorOf(send("POST", worker + "/heartbeat", utf8("{\"id\":\"" + PRODUCER
                    + "\",\"location\":" + members(JsonLimits.MAX_MEMBERS + 1) + ",\"data\":1}"), token), 400);
            assertThat(seed.path("detail").asText()).isEqualTo(limit);
            JsonNode batch = errorOf(send("POST", worker + "/api/v1/producers/" + PRODUCER + "/heartbeats",
                    utf8("[{\"location\":\"a\",\"data\":" + members(JsonLimits.MAX_MEMBERS + 1) + "}]"), token), 422);
            assertThat(batch.path("detail").asText()).isEqualTo(limit);
            HttpResponse<String> atTheLimit = send("POST", worker + "/api/v1/heartbeats", utf8("{\"id\":\"" + PRODUCER
                    + "\",\"location\":\"a\",\"data\":" + members(JsonLimits.MAX_MEMBERS) + "}"), token);
            assertThat(atTheLimit.statusCode()).as(atTheLimit.body()).isEqualTo(200);

            String balancer = cluster.balancer().toString();
            String secret = cluster.clusterSecret();
            JsonNode area = errorOf(send("POST", balancer + "/api/v1/areas", utf8("{\"name\":\"many\",\"lat\":1,\"lon\":1,"
                    + "\"radius_m\":10,\"extra\":" + members(JsonLimits.MAX_MEMBERS + 1) + "}"), secret), 422);
            assertThat(area.path("error").asText()).isEqualTo("JSON beyond limits");
            assertThat(area.path("detail").asText()).isEqualTo(limit);
            String many = members(JsonLimits.MAX_MEMBERS + 1);
            JsonNode registration = errorOf(send("POST", balancer + "/api/v1/workers", utf8("{\"port\":9," + many
                    .substring(1)), secret), 422);
            assertThat(registration.path("detail").asText()).isEqualTo(limit);
            JsonNode lease = errorOf(send("PUT", balancer + "/api/v1/workers/" + URI.create(worker).getAuthority()
                    + "/lease", utf8("{\"load\":" + many + "}"), secret), 422);
            assertThat(lease.path("detail").asText()).isEqualTo(limit);
            JsonNode deep = errorOf(send("POST", balancer + "/api/v1/keys", utf8("{\"name\":\"k\",\"x\":" + "[".repeat(70)
                    + "]".repeat(70) + "}"), secret), 422);
            assertThat(deep.path("detail").asText()).isEqualTo("the JSON nests deeper than 64 levels of arrays and objects");
            JsonNode number = errorOf(send("POST", balancer + "/api/v1/keys", utf8("{\"name\":\"k\",\"rate\":"
                    + "1".repeat(1001) + "}"), secret), 422);
            assertThat(number.path("detail").asText()).isEqualTo("a number is longer than 1000 characters");

            // a worker's holds lists every producer it holds: the one object the count leaves alone
            StringBuilder holds = new StringBuilder("{");
            for (int i = 0; i < 20_000; i++) {
                holds.append(i == 0 ? "" : ",").append("\"h").append(i).append("\":0");
            }
            HttpResponse<String> held = send("POST", balancer + "/api/v1/workers", utf8("{\"url\":\"http://127.0.0.1:9\","
                    + "\"holds\":" + holds + "}}"), secret);
            assertThat(held.statusCode()).as(preview(utf8(held.body()))).isEqualTo(200);
        }
    }

    @Test
    void request_text_repeated_in_a_detail_is_at_most_64_characters_and_no_library_message_leaks() throws Exception {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 1)) {
            String worker = workerUrl(cluster);
            String balancer = cluster.balancer().toString();
            String secret = cluster.clusterSecret();
            String marker = "Z\"<b>" + "z".repeat(3000);
            String q = URLEncoder.encode(marker, StandardCharsets.UTF_8);
            List<String[]> calls = List.of(
                    new String[]{"GET", balancer + "/api/v1/near?lat=" + q + "&lon=1&radius_m=10"},
                    new String[]{"GET", worker + "/api/v1/near?lat=1&lon=" + q + "&radius_m=10"},
                    new String[]{"GET", balancer + "/api/v1/producers?seen_since=" + q},
                    new String[]{"GET", worker + "/api/v1/producers/" + PRODUCER + "/history?from=" + q},
                    new String[]{"GET", worker + "/get_data_location/" + URLEncoder.encode(marker.substring(0, 250),
                            StandardCharsets.UTF_8).replace("+", "%20")},
                    new String[]{"GET", balancer + "/api/v1/areas/" + "a".repeat(3000)},
                    new String[]{"PUT", balancer + "/api/v1/workers/" + "w".repeat(3000) + "/lease"},
                    new String[]{"GET", worker + "/api/v1/producers/" + PRODUCER + "/history?cursor="
                            + b64("1|" + marker + "|2|3|s")},
                    new String[]{"GET", worker + "/api/v1/stream?after=" + b64("s1|store=" + marker)},
                    new String[]{"GET", worker + "/api/v1/producers/" + PRODUCER + "/history?cursor=" + "!".repeat(300)},
                    new String[]{"POST", balancer + "/api/v1/keys", "{\"name\":\"k\",\"ops\":[\"" + marker.replace("\"", "\\\"")
                            + "\"]}"},
                    new String[]{"GET", worker + "/api/v1/producers/" + PRODUCER + "/history?format=" + q},
                    new String[]{"POST", balancer + "/api/v1/workers", "{\"url\":\"http://127.0.0.1:8\",\"store\":\""
                            + marker.replace("\"", "\\\"") + "\",\"store_proof\":\"another\"}"});
            assertThat(send("POST", balancer + "/api/v1/workers", utf8("{\"url\":\"http://127.0.0.1:9\",\"store\":\""
                    + marker.replace("\"", "\\\"") + "\",\"store_proof\":\"first\"}"), secret).statusCode()).isEqualTo(200);
            SoftAssertions soft = new SoftAssertions();
            for (String[] c : calls) {
                HttpResponse<String> r = send(c[0], c[1], c.length > 2 ? utf8(c[2]) : null, secret);
                String call = c[0] + " " + c[1].substring(0, Math.min(120, c[1].length())) + " -> " + r.statusCode() + " "
                        + r.body();
                soft.assertThat(r.statusCode()).as(call).isBetween(400, 499);
                assertClean(soft, call, r, cluster);
                soft.assertThat(r.body()).as(call).doesNotContain("z".repeat(65)).doesNotContain("a".repeat(65))
                        .doesNotContain("w".repeat(65)).hasSizeLessThan(400);
            }
            // the HTTP layer's own refusals: Netty's messages quote the request back
            int port = URI.create(worker).getPort();
            String[] raw = {
                    "POST /api/v1/heartbeats HTTP/1.1\r\nHost: a\r\nContent-Length: 12" + marker.substring(5, 60) + "\r\n\r\n{}",
                    "POST /heartbeat HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz" + marker.substring(5, 60)
                            + "\r\n{}\r\n0\r\n\r\n",
                    "GET /health HTTP/1.1" + marker.substring(5, 60) + "\r\nHost: a\r\n\r\n",
                    "GET /health " + "HTTP/9." + "9".repeat(200) + "\r\nHost: a\r\n\r\n",
                    "GET /he\u0001alth HTTP/1.1\r\nHost: a\r\n\r\n"};
            for (String request : raw) {
                RawHttp.Answer a = RawHttp.exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), false,
                        Duration.ofSeconds(10));
                String call = preview(request.getBytes(StandardCharsets.ISO_8859_1)) + " -> " + a.status() + " " + a.bodyText();
                soft.assertThat(a.outcome()).as(call).isEqualTo(RawHttp.Outcome.ANSWERED);
                soft.assertThat(a.status()).as(call).isBetween(400, 505);
                soft.assertThat(JSON.readTree(a.body()).path("error").isTextual()).as(call).isTrue();
                for (String word : FOREIGN) {
                    soft.assertThat(a.bodyText()).as(call).doesNotContain(word);
                }
                soft.assertThat(a.bodyText()).as(call).doesNotContain("z".repeat(10)).doesNotContain("9".repeat(65));
            }
            soft.assertAll();
        }
    }

    @Test
    void health_tells_anyone_only_ok_and_the_secret_views_hold_no_credential() throws Exception {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 1)) {
            String worker = workerUrl(cluster);
            String balancer = cluster.balancer().toString();
            String key = cluster.issueKey("viewer", List.of(), List.of(), List.of("read"));
            String token = cluster.token(PRODUCER);
            assertThat(send("GET", cluster.balancer() + "/register/" + PRODUCER, null, token).statusCode()).isEqualTo(200);
            assertThat(send("POST", worker + "/api/v1/heartbeats", utf8("{\"id\":\"" + PRODUCER
                    + "\",\"location\":\"a\",\"data\":1}"), token).statusCode()).isEqualTo(200);
            for (String server : List.of(balancer, worker)) {
                HttpResponse<String> health = send("GET", server + "/health", null, null);
                assertThat(health.statusCode()).isEqualTo(200);
                JsonNode body = JSON.readTree(health.body());
                assertThat(iterable(body.fieldNames())).containsExactlyInAnyOrder("status", "role");
            }
            List<String> credentials = List.of(cluster.clusterSecret(), cluster.deviceSecret(), token, key,
                    ConsumerKey.hash(key));
            for (String view : List.of(worker + "/api/v1/status", balancer + "/api/v1/cluster", balancer + "/api/v1/keys")) {
                HttpResponse<String> anyone = send("GET", view, null, null);
                assertThat(anyone.statusCode()).as(view).isEqualTo(401);
                assertThat(anyone.body()).doesNotContain("heap").doesNotContain("store");
                HttpResponse<String> operator = send("GET", view, null, cluster.clusterSecret());
                assertThat(operator.statusCode()).as(view).isEqualTo(200);
                for (String credential : credentials) {
                    assertThat(operator.body()).as(view).doesNotContain(credential);
                }
                assertThat(operator.body()).as(view).doesNotContain("store_proof").doesNotContain("proof");
            }
            HttpResponse<String> status = send("GET", worker + "/api/v1/status", null, key);
            assertThat(status.statusCode()).as("a consumer key does not open the status").isEqualTo(401);
        }
    }

    @Test
    void a_lost_balancer_state_is_answered_without_the_files_path_and_logged_once_with_it() throws Exception {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 1); Captured log = Captured.start()) {
            Path state = cluster.embedded().dataDir().resolve("balancer").resolve("balancer.db");
            assertThat(state).exists();
            Files.delete(state);
            SoftAssertions soft = new SoftAssertions();
            for (int i = 0; i < 5; i++) {
                HttpResponse<String> health = send("GET", cluster.balancer() + "/health", null, null);
                soft.assertThat(health.statusCode()).isEqualTo(503);
                soft.assertThat(JSON.readTree(health.body()).path("detail").asText()).as(health.body())
                        .startsWith("the state file was removed while the balancer ran");
                assertNoPath(soft, "health", health.body(), cluster);
                HttpResponse<String> move = send("GET", cluster.balancer() + "/register/p" + i, null, cluster.token("p" + i));
                soft.assertThat(move.statusCode()).as(move.body()).isEqualTo(503);
                soft.assertThat(JSON.readTree(move.body()).path("error").asText()).isEqualTo("balancer state unavailable");
                assertClean(soft, "register", move, cluster);
            }
            soft.assertAll();
            assertThat(log.warnings(state.toString())).as("the operator's log line, with the path, once").hasSize(1);
        }
    }

    @Test
    void a_full_disk_is_answered_the_disk_is_full_without_a_path_and_logged_with_it_not_once_per_request()
            throws Exception {
        assumeTrue(TmpfsMount.possible(), "filling a disk needs a small tmpfs, which needs root and the right to mount");
        try (TmpfsMount disk = TmpfsMount.mount(dir.resolve("small-disk"), 24);
             SecuredCluster cluster = SecuredCluster.start(disk.dir(), 1);
             Captured log = Captured.start()) {
            String worker = workerUrl(cluster);
            String token = cluster.token(PRODUCER);
            assertThat(send("POST", worker + "/api/v1/heartbeats", beat(0), token).statusCode()).isEqualTo(200);
            disk.fill();
            SoftAssertions soft = new SoftAssertions();
            int full = 0;
            int refused = 0;
            for (int i = 1; i <= 30; i++) {
                HttpResponse<String> r = send("POST", worker + "/api/v1/heartbeats", beat(i), token);
                if (r.statusCode() == 503) {
                    full++;
                    soft.assertThat(JSON.readTree(r.body()).path("detail").asText()).as(r.body())
                            .isEqualTo("the heartbeat was not stored: the disk is full; retry shortly");
                }
                soft.assertThat(r.statusCode()).as(r.body()).isIn(200, 503, 410);
                if (r.statusCode() != 200) {
                    refused++;
                    assertClean(soft, "heartbeat on a full disk", r, cluster);
                }
            }
            soft.assertAll();
            assertThat(full).as("heartbeats answered 503 on the full disk").isPositive();
            List<String> lines = log.warnings("the disk is full");
            assertThat(lines).as("the operator's log lines, for %d refused heartbeats", refused).isNotEmpty()
                    .hasSizeLessThanOrEqualTo(Math.min(6, refused - 1))
                    .anySatisfy(l -> assertThat(l).contains(disk.dir().toString()));
            disk.free();
        }
    }

    @Test
    void a_database_that_went_away_is_answered_without_its_address() throws Exception {
        PgTestDatabase.Server pg = PgTestDatabase.server();
        Vertx vertx = Vertx.vertx();
        ConnectionCutter database = ConnectionCutter.start(vertx, pg.host(), pg.port());
        String schema = PgTestDatabase.schema("hygiene-" + dir);
        try (Captured log = Captured.start()) {
            StoreTarget target = new StoreTarget(PgTestDatabase.urlWithSchemaAt(schema, "127.0.0.1", database.port()), null);
            try (SecuredCluster cluster = SecuredCluster.start(dir, 1, UnaryOperator.identity(), c -> c.withStore(target))) {
                String worker = workerUrl(cluster);
                String token = cluster.token(PRODUCER);
                assertThat(send("POST", worker + "/api/v1/heartbeats", beat(0), token).statusCode()).isEqualTo(200);
                database.refuse(true);
                database.cutAll();
                SoftAssertions soft = new SoftAssertions();
                List<HttpResponse<String>> answers = new ArrayList<>();
                for (int i = 1; i <= 5; i++) {
                    answers.add(send("POST", worker + "/api/v1/heartbeats", beat(i), token));
                }
                answers.add(send("GET", worker + "/api/v1/producers/" + PRODUCER + "/history", null, cluster.clusterSecret()));
                answers.add(send("DELETE", worker + "/api/v1/producers/" + PRODUCER, null, cluster.clusterSecret()));
                for (HttpResponse<String> r : answers) {
                    String call = r.request().method() + " " + r.request().uri().getPath() + " -> " + r.statusCode() + " "
                            + r.body();
                    soft.assertThat(r.statusCode()).as(call).isEqualTo(503);
                    soft.assertThat(JSON.readTree(r.body()).path("error").asText()).as(call).isEqualTo("store unavailable");
                    assertClean(soft, call, r, cluster);
                    soft.assertThat(r.body()).as(call).doesNotContain(Integer.toString(database.port()))
                            .doesNotContain(schema).doesNotContain(pg.host() + ":").doesNotContain("127.0.0.1");
                }
                soft.assertAll();
                assertThat(log.warnings(Integer.toString(database.port()))).as("the operator's log names the database")
                        .isNotEmpty().hasSizeLessThan(10);
                database.refuse(false);
            }
        } finally {
            database.close();
            PgTestDatabase.drop(schema);
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    // --- the endpoints and the bodies

    private static List<BodyEndpoint> bodyEndpoints(SecuredCluster cluster, String worker, String wid) {
        String token = cluster.token(PRODUCER);
        String secret = cluster.clusterSecret();
        String b = cluster.balancer().toString();
        String beat = "{\"id\":\"" + PRODUCER + "\",\"location\":{\"lat\":56.34,\"lon\":-2.79,\"accuracy\":5},"
                + "\"data\":{\"steps\":[1,2,3],\"note\":\"caf\u00e9\",\"deep\":{\"a\":{\"b\":null}}},\"seq\":7}";
        return List.of(
                new BodyEndpoint("seed heartbeat", "POST", worker + "/heartbeat", token, beat),
                new BodyEndpoint("v1 heartbeat", "POST", worker + "/api/v1/heartbeats", token, beat),
                new BodyEndpoint("batch", "POST", worker + "/api/v1/producers/" + PRODUCER + "/heartbeats", token,
                        "[" + beat + ",{\"location\":\"home\",\"data\":\"x\",\"seq\":8}]"),
                new BodyEndpoint("worker registration", "POST", b + "/api/v1/workers", secret,
                        "{\"url\":\"http://127.0.0.1:9\",\"store\":\"s\",\"store_proof\":\"p\",\"holds\":{\"a\":1}}"),
                new BodyEndpoint("lease renewal", "PUT", b + "/api/v1/workers/" + wid + "/lease", secret,
                        "{\"load\":{\"producers_cached\":1,\"heartbeats_per_second\":2.5},\"store_failing_ms\":0}"),
                new BodyEndpoint("area", "POST", b + "/api/v1/areas", secret,
                        "{\"name\":\"harbour\",\"polygon\":{\"type\":\"Polygon\",\"coordinates\":[[[1,1],[2,1],[2,2],[1,1]]]}}"),
                new BodyEndpoint("consumer key", "POST", b + "/api/v1/keys", secret,
                        "{\"name\":\"music\",\"producers\":[\"3000\"],\"ops\":[\"read\"],\"rate\":10}"));
    }

    record Mutated(byte[] bytes, String how) {
    }

    /** The valid body damaged in one to three ways, each chosen by {@code random}. */
    private static Mutated mutate(String valid, Random random) {
        byte[] body = utf8(valid);
        StringBuilder how = new StringBuilder();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            String text = new String(body, StandardCharsets.ISO_8859_1);
            int at = body.length == 0 ? 0 : random.nextInt(body.length);
            String name;
            switch (random.nextInt(18)) {
                case 0 -> {
                    body = java.util.Arrays.copyOf(body, at);
                    name = "cut";
                }
                case 1 -> {
                    if (body.length > 0) {
                        body[at] = (byte) random.nextInt(256);
                    }
                    name = "byte replaced";
                }
                case 2 -> {
                    byte[] noise = new byte[1 + random.nextInt(30)];
                    random.nextBytes(noise);
                    body = splice(body, at, noise);
                    name = "noise";
                }
                case 3 -> {
                    body = splice(body, valueStart(text, random), utf8("[".repeat(60 + random.nextInt(200))));
                    name = "deep";
                }
                case 4 -> {
                    body = replaceValue(text, random, "9".repeat(1 + random.nextInt(3000)) + "." + "1".repeat(random.nextInt(5)));
                    name = "long number";
                }
                case 5 -> {
                    byte[][] bad = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF},
                            {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
                    body = splice(body, at, bad[random.nextInt(bad.length)]);
                    name = "bad UTF-8";
                }
                case 6 -> {
                    String[] escapes = {"\"\\x41\"", "\"\\u12\"", "\"\\ud800\"", "\"a\\q\"", "\"\\u00zz\""};
                    body = replaceValue(text, random, escapes[random.nextInt(escapes.length)]);
                    name = "bad escape";
                }
                case 7 -> {
                    int brace = text.indexOf('{');
                    body = brace < 0 ? body : splice(body, brace + 1, utf8("\"dup\":1,\"dup\":2,"));
                    name = "member twice";
                }
                case 8 -> {
                    body = replaceValue(text, random, "\"tab\there\u0001\"");
                    name = "control character";
                }
                case 9 -> {
                    String[] others = {"{}", "[]", "\"text\"", "true", "1.5", "-1", "null", "[[[]]]", "{\"k\":{}}"};
                    body = replaceValue(text, random, others[random.nextInt(others.length)]);
                    name = "wrong type";
                }
                case 10 -> {
                    String[] tails = {" x", "}", "]", " {}", ",", " // comment", "\u0000"};
                    body = splice(body, body.length, utf8(tails[random.nextInt(tails.length)]));
                    name = "trailing";
                }
                case 11 -> {
                    String[] words = {"nul", "NaN", "Infinity", "'single'", "undefined", "tru", "01", "+1", ".5", "1e"};
                    body = replaceValue(text, random, words[random.nextInt(words.length)]);
                    name = "not a JSON word";
                }
                case 12 -> {
                    String[] tops = {"[1,2]", "\"a string\"", "42", "null", "true", "", " ", "\ufeff{}"};
                    body = utf8(tops[random.nextInt(tops.length)]);
                    name = "another top-level value";
                }
                case 13 -> {
                    body = splice(body, at, utf8("/* comment */"));
                    name = "comment";
                }
                case 14 -> {
                    String echo = "E\"<x>" + "e".repeat(2000);
                    body = replaceValue(text, random, "\"" + echo.replace("\"", "\\\"") + "\"");
                    name = "long string";
                }
                case 15 -> {
                    int brace = text.indexOf('{');
                    String name2 = "m\"" + "m".repeat(3000);
                    body = brace < 0 ? body : splice(body, brace + 1, utf8("\"" + name2.replace("\"", "\\\"") + "\":1,\""
                            + name2.replace("\"", "\\\"") + "\":1,"));
                    name = "long name twice";
                }
                case 16 -> {
                    body = utf8(text.replace(":", random.nextBoolean() ? "=" : " : :"));
                    name = "colons";
                }
                default -> {
                    body = utf8(text.replace("\"", "'"));
                    name = "single quotes";
                }
            }
            how.append(i == 0 ? "" : ", ").append(name);
        }
        return new Mutated(body, how.toString());
    }

    /** Where a value starts: just after a random colon, or the start. */
    private static int valueStart(String text, Random random) {
        List<Integer> colons = new ArrayList<>();
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == ':') {
                colons.add(i + 1);
            }
        }
        return colons.isEmpty() ? 0 : colons.get(random.nextInt(colons.size()));
    }

    /** The text with the value after a random colon replaced by {@code value} (up to the next , } or ]). */
    private static byte[] replaceValue(String text, Random random, String value) {
        int from = valueStart(text, random);
        int to = from;
        int depth = 0;
        boolean inString = false;
        while (to < text.length()) {
            char c = text.charAt(to);
            if (inString) {
                if (c == '\\') {
                    to++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && depth-- == 0 || c == ',' && depth == 0) {
                break;
            }
            to++;
        }
        byte[] head = text.substring(0, from).getBytes(StandardCharsets.ISO_8859_1);
        byte[] tail = text.substring(Math.min(to, text.length())).getBytes(StandardCharsets.ISO_8859_1);
        return splice(splice(head, head.length, utf8(value)), head.length + utf8(value).length, tail);
    }

    private static byte[] splice(byte[] into, int at, byte[] insert) {
        byte[] out = new byte[into.length + insert.length];
        System.arraycopy(into, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(into, at, out, at + insert.length, into.length - at);
        return out;
    }

    /** An object of {@code n} members {@code "m0":0, "m1":0, ...}. */
    private static String members(int n) {
        StringBuilder out = new StringBuilder(n * 9).append('{');
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "" : ",").append("\"m").append(Integer.toString(i, 36)).append("\":0");
        }
        return out.append('}').toString();
    }

    // --- what every error body must be

    /** JSON {@code {"error": text, "detail"?: text}}, in our words, naming no path and no credential. */
    private void assertClean(SoftAssertions soft, String call, HttpResponse<String> r, SecuredCluster cluster) {
        soft.assertThat(r.headers().firstValue("content-type")).as(call)
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body;
        try {
            body = JSON.readTree(r.body());
        } catch (IOException e) {
            soft.fail("not JSON: " + call);
            return;
        }
        soft.assertThat(body.path("error").isTextual()).as(call).isTrue();
        soft.assertThat(body.path("detail").isMissingNode() || body.path("detail").isTextual()).as(call).isTrue();
        for (String word : FOREIGN) {
            soft.assertThat(r.body()).as(call).doesNotContain(word);
        }
        soft.assertThat(r.body()).as(call).doesNotContain(cluster.clusterSecret()).doesNotContain(cluster.deviceSecret())
                .doesNotContain(cluster.token(PRODUCER)).doesNotContain("e".repeat(65)).doesNotContain("m".repeat(65));
        assertNoPath(soft, call, r.body(), cluster);
    }

    private void assertNoPath(SoftAssertions soft, String call, String body, SecuredCluster cluster) {
        soft.assertThat(body).as(call).doesNotContain(dir.toString()).doesNotContain(cluster.embedded().dataDir().toString())
                .doesNotContain("/tmp").doesNotContain(".db").doesNotContain("heartbeats-inbox")
                .doesNotContain(System.getProperty("user.dir"));
    }

    private static JsonNode errorOf(HttpResponse<String> r, int status) throws IOException {
        assertThat(r.statusCode()).as(r.body().substring(0, Math.min(500, r.body().length()))).isEqualTo(status);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("error").isTextual()).as(r.body()).isTrue();
        for (String word : FOREIGN) {
            assertThat(r.body()).doesNotContain(word);
        }
        return body;
    }

    // --- helpers

    private static String workerUrl(SecuredCluster cluster) {
        return "http://127.0.0.1:" + cluster.embedded().worker(0).port();
    }

    private static byte[] beat(int n) {
        return utf8("{\"id\":\"" + PRODUCER + "\",\"location\":{\"lat\":56.34,\"lon\":-2.79},\"data\":{\"n\":" + n
                + ",\"pad\":\"" + "p".repeat(2000) + "\"},\"seq\":" + n + "}");
    }

    private static HttpResponse<String> send(String method, String url, byte[] body, String credential)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(s));
    }

    private static String preview(byte[] body) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }

    /** The WARN and ERROR lines of every io.tophat logger while it is open. */
    static final class Captured implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger("io.tophat");
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

        static Captured start() {
            Captured c = new Captured();
            c.appender.start();
            c.logger.addAppender(c.appender);
            return c;
        }

        List<String> warnings(String containing) {
            List<String> lines = new ArrayList<>();
            synchronized (appender) {
                for (ILoggingEvent e : appender.list) {
                    if (e.getLevel().isGreaterOrEqual(Level.WARN) && e.getFormattedMessage().contains(containing)) {
                        lines.add(e.getFormattedMessage());
                    }
                }
            }
            return lines;
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
            appender.stop();
        }
    }
}
