package io.tophat.process;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.tophat.security.ProducerTokens;
import io.tophat.security.Secrets;
import io.tophat.testing.HeartbeatGen.ExpectedLocation;
import io.tophat.testing.HeartbeatGen.GeneratedHeartbeat;
import io.tophat.testing.Http;
import io.tophat.testing.JarProcess;
import io.tophat.testing.RawHttp;
import io.tophat.testing.RawHttp.Answer;
import io.tophat.testing.RequestFuzzer;
import io.tophat.testing.RequestFuzzer.FuzzRequest;
import io.tophat.testing.RoundTrip;
import net.jqwik.api.sessions.JqwikSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Seeded fuzzing of a real balancer and worker process: 10,000 mutated requests (see {@link RequestFuzzer}) with
 * valid generated heartbeats between them. No answer may be a 5xx, every error is a JSON body, no request may go
 * unanswered, neither process may die or log an ERROR, and afterwards the worker's SQLite files hold exactly the
 * heartbeats it accepted, each equal as JSON to what was sent. The seed is printed; {@code -Dfuzz.seed=S
 * -Dfuzz.requests=N} replays a run, and a seed that found a bug is kept below as a regression case.
 *
 * <p>The same run with credentials on ({@code --auth secret}): the mutated requests carry no credential or a
 * wrong one (a forged token, another producer's token, a secret that is not the cluster's), a third of them name
 * a producer whose heartbeats are stored for real, and membership calls may name the real worker; the valid
 * heartbeats carry their producer's token. Then no mutated request may be accepted: the SQLite files hold exactly
 * the valid heartbeats (none erased, none added), the balancer knows no worker, producer, key or area but the real
 * ones and its worker is alive and not draining, and neither log holds a secret or a token
 * ({@code -Dfuzz.secured.requests=N} sets how many).
 */
@Timeout(600)
class FuzzIT {
    private static final int THREADS = 4;
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    @TempDir
    Path dir;

    @Test
    void ten_thousand_mutated_requests_get_no_5xx_and_leave_the_store_holding_exactly_the_accepted_heartbeats()
            throws Exception {
        long seed = Long.getLong("fuzz.seed", new Random().nextLong());
        fuzz(seed, Integer.getInteger("fuzz.requests", 10_000));
    }

    /**
     * 42: the first seed. 7871027811405121099: a clean-clone CI run where the test itself misjudged two answers, a
     * heartbeat sent with {@code Expect: 100-continue} (the interim 100 was read as the answer) and one whose
     * mutation changed its id; the server was right both times. -8642629610274287508: a broken chunked body after
     * {@code Expect: 100-continue} got the interim 100 and then a closed connection, no 400 (fixed in the screen).
     */
    @ParameterizedTest(name = "regression seed {0}")
    @ValueSource(longs = {42L, 7871027811405121099L, -8642629610274287508L})
    void seeds_that_once_found_a_bug_stay_fixed(long seed) throws Exception {
        fuzz(seed, 2_000);
    }

    @Test
    void with_credentials_on_mutated_requests_without_valid_ones_get_no_5xx_and_change_nothing() throws Exception {
        long seed = Long.getLong("fuzz.seed", new Random().nextLong());
        fuzz(seed, Integer.getInteger("fuzz.secured.requests", 3_000), Secured.create(dir));
    }

    private void fuzz(long seed, int requests) throws Exception {
        fuzz(seed, requests, null);
    }

    /** @param secured the credentials both processes run with, or null for {@code --auth none} */
    private void fuzz(long seed, int requests, Secured secured) throws Exception {
        System.out.printf("FuzzIT: seed %d, %d mutated requests%s (replay with -Dfuzz.seed=%d -D%s=%d)%n",
                seed, requests, secured == null ? "" : " with credentials on", seed,
                secured == null ? "fuzz.requests" : "fuzz.secured.requests", requests);
        List<String> auth = secured == null ? List.of() : secured.args();
        try (JarProcess balancer = JarProcess.start(dir, "balancer", concat(List.of("balancer", "--host", "127.0.0.1",
                "--port", "0", "--data-dir", "balancer"), auth)).awaitOutput("TopHat balancer on", Duration.ofSeconds(30));
             JarProcess worker = JarProcess.start(dir, "worker", concat(List.of("worker", "--host", "127.0.0.1",
                     "--port", "0", "--balancer", "127.0.0.1:" + balancer.printedPort(), "--data-dir", "worker"), auth))
                     .awaitOutput("TopHat worker on", Duration.ofSeconds(30))) {
            int balancerPort = balancer.printedPort();
            int workerPort = worker.printedPort();

            List<Object> plan = new ArrayList<>();
            Map<String, GeneratedHeartbeat> valid = new HashMap<>();
            // with credentials on, the mutated requests also name producers stored for real, and the real worker
            List<String> victims = Collections.synchronizedList(new ArrayList<>());
            JqwikSession.start();
            try {
                RequestFuzzer fuzzer = secured == null ? new RequestFuzzer(seed, workerPort) : new RequestFuzzer(seed,
                        workerPort, new RequestFuzzer.Intruder(secured::wrongCredentials, victims));
                for (int i = 0; i < requests; i++) {
                    plan.add(fuzzer.next());
                    if (i % 2 == 0) {
                        GeneratedHeartbeat hb = fuzzer.heartbeat();
                        String id = fuzzer.freshId(hb.numericId() ? "77" : "ok");
                        valid.put(id, hb);
                        victims.add(id);
                        plan.add(Map.entry(id, hb));
                    }
                }
            } finally {
                JqwikSession.finish();
            }
            Map<String, byte[]> acceptedMutations = new ConcurrentHashMap<>();
            Map<String, byte[]> unanswered = new ConcurrentHashMap<>();
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < plan.size(); i += THREADS) {
                        Object step = plan.get(i);
                        try {
                            if (step instanceof FuzzRequest r) {
                                Answer answer = RawHttp.exchange(r.target() == RequestFuzzer.Target.WORKER ? workerPort
                                        : balancerPort, r.bytes(), r.incomplete(), ANSWER_TIMEOUT);
                                if (secured != null) {
                                    checkRefused(r, answer, failures);
                                }
                                check(r, answer, failures, acceptedMutations, secured == null ? unanswered
                                        : new ConcurrentHashMap<>(), statuses);
                            } else {
                                @SuppressWarnings("unchecked")
                                Map.Entry<String, GeneratedHeartbeat> e = (Map.Entry<String, GeneratedHeartbeat>) step;
                                sendValid(workerPort, e.getKey(), e.getValue(), i, failures,
                                        secured == null ? null : secured.tokens().token(e.getKey()));
                            }
                        } catch (Exception e) {
                            failures.add("exchange failed: " + e + " for " + step);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            System.out.println("FuzzIT: answers by status " + new java.util.TreeMap<>(statuses)
                    + "; mutated heartbeats accepted: " + acceptedMutations.size());

            assertThat(failures).as("seed %d", seed).isEmpty();
            assertThat(balancer.alive()).as("balancer alive").isTrue();
            assertThat(worker.alive()).as("worker alive").isTrue();
            assertThat(Http.get("http://127.0.0.1:" + balancerPort + "/health").statusCode()).isEqualTo(200);
            assertThat(Http.get("http://127.0.0.1:" + workerPort + "/health").statusCode()).isEqualTo(200);

            if (secured != null) {
                assertThat(acceptedMutations).as("mutated heartbeats accepted without a valid credential, seed %d", seed)
                        .isEmpty();
                auditBalancer(balancerPort, workerPort, secured, valid.keySet(), seed);
            }
            assertThat(worker.terminate(Duration.ofSeconds(30))).as("worker exit code").isZero();
            assertThat(worker.output()).as("worker log").doesNotContain(" ERROR ");
            assertThat(balancer.output()).as("balancer log").doesNotContain(" ERROR ");
            if (secured != null) {
                secured.assertNotIn("worker log", worker.output(), valid.keySet());
                secured.assertNotIn("balancer log", balancer.output(), valid.keySet());
            }
            auditStore(dir.resolve("worker"), valid, acceptedMutations, unanswered, seed);
        }
    }

    /**
     * Both processes' credentials: random cluster and device secrets in files of the test's folder, the producer
     * tokens they make, and the wrong credentials the mutated requests carry.
     */
    record Secured(String cluster, String device, Path clusterFile, Path deviceFile, ProducerTokens tokens,
                   ProducerTokens forger) {
        static Secured create(Path dir) throws java.io.IOException {
            String cluster = Secrets.generate();
            String device = Secrets.generate();
            Path clusterFile = java.nio.file.Files.writeString(dir.resolve("cluster.secret"), cluster + "\n");
            Path deviceFile = java.nio.file.Files.writeString(dir.resolve("device.secret"), device + "\n");
            return new Secured(cluster, device, clusterFile, deviceFile,
                    new ProducerTokens(Secrets.parse(device, "the test's device secret")),
                    new ProducerTokens(Secrets.parse(Secrets.generate(), "another device secret")));
        }

        List<String> args() {
            return List.of("--auth", "secret", "--cluster-secret-file", clusterFile.toString(),
                    "--device-secret-file", deviceFile.toString());
        }

        /** What a request naming {@code producer} may wrongly present: each must be refused. */
        List<String> wrongCredentials(String producer) {
            String id = producer == null ? "nobody" : producer;
            return List.of(forger.token(id), tokens.token(id + "x"), tokens.token("victim"), device,
                    cluster.substring(0, cluster.length() - 1) + (cluster.endsWith("A") ? "B" : "A"),
                    "thk_" + "A".repeat(32), "", "Bearer " + cluster.substring(1), tokens.token(id).toUpperCase());
        }

        /** No secret, and no valid producer's token, in {@code text}. */
        void assertNotIn(String what, String text, java.util.Set<String> producers) {
            assertThat(text).as(what).doesNotContain(cluster).doesNotContain(device);
            for (String p : producers) {
                assertThat(text).as(what + ": the token of " + p).doesNotContain(tokens.token(p));
            }
        }
    }

    /**
     * With credentials on, a mutated request (no credential, or a wrong one) changes nothing: only the health check
     * may answer 2xx, nothing redirects, and a heartbeat is never accepted.
     */
    private static void checkRefused(FuzzRequest r, Answer answer, List<String> failures) {
        if (answer.outcome() != RawHttp.Outcome.ANSWERED || answer.status() < 200 || answer.status() >= 400) {
            return;
        }
        String text = new String(r.bytes(), StandardCharsets.ISO_8859_1);
        int space = text.indexOf(' ');
        boolean health = space > 0 && text.startsWith("/health", space + 1)
                && (text.length() == space + 8 || " ?".indexOf(text.charAt(space + 8)) >= 0);
        if (!health) {
            failures.add("answered " + answer.status() + " without a valid credential: " + answer.bodyText() + " for "
                    + r.describe());
        }
    }

    /** What the balancer knows, read with the cluster secret: nothing a refused request could have put there. */
    private static void auditBalancer(int balancerPort, int workerPort, Secured secured, java.util.Set<String> valid,
                                      long seed) throws Exception {
        String b = "http://127.0.0.1:" + balancerPort;
        JsonNode cluster = STRICT.readTree(Http.send("GET", b + "/api/v1/cluster", null, secured.cluster()).body());
        List<String> workers = new ArrayList<>();
        cluster.path("workers").forEach(w -> workers.add(w.path("url").asText() + " alive=" + w.path("alive").asBoolean()
                + " draining=" + w.path("draining").asBoolean()));
        assertThat(workers).as("the balancer's workers, seed %d", seed)
                .containsExactly("http://127.0.0.1:" + workerPort + " alive=true draining=false");
        JsonNode keys = STRICT.readTree(Http.send("GET", b + "/api/v1/keys", null, secured.cluster()).body());
        assertThat(keys.path("items")).as("consumer keys, seed %d", seed).isEmpty();
        JsonNode areas = STRICT.readTree(Http.send("GET", b + "/api/v1/areas", null, secured.cluster()).body());
        assertThat(areas.path("items")).as("areas, seed %d", seed).isEmpty();
        JsonNode producers = STRICT.readTree(Http.send("GET", b + "/api/v1/producers?limit=10000", null,
                secured.cluster()).body());
        List<String> known = new ArrayList<>();
        producers.path("producers").forEach(p -> known.add(p.path("id").asText()));
        assertThat(valid).as("producers the balancer knows, seed %d", seed).containsAll(known);
        System.out.printf("FuzzIT: the balancer knows the one worker, no key, no area and %d producers, all valid%n",
                known.size());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void sendValid(int port, String id, GeneratedHeartbeat hb, int i, List<String> failures, String token)
            throws Exception {
        byte[] body = hb.body(id);
        String path = i % 4 == 1 ? "/heartbeat" : "/api/v1/heartbeats";
        String credential = "";
        if (token != null && i % 3 == 0) {
            path += "?token=" + token;
        } else if (token != null) {
            credential = "Authorization: Bearer " + token + "\r\n";
        }
        byte[] request = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + credential + "Connection: close\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] whole = new byte[request.length + body.length];
        System.arraycopy(request, 0, whole, 0, request.length);
        System.arraycopy(body, 0, whole, request.length, body.length);
        Answer answer = RawHttp.exchange(port, whole, false, ANSWER_TIMEOUT);
        if (answer.status() != 200) {
            failures.add("valid heartbeat " + id + " answered " + answer.outcome() + " " + answer.status() + " "
                    + answer.bodyText() + ": " + new String(body, StandardCharsets.UTF_8));
        }
    }

    private static void check(FuzzRequest r, Answer answer, List<String> failures, Map<String, byte[]> accepted,
                              Map<String, byte[]> unanswered, Map<String, AtomicInteger> statuses) {
        statuses.computeIfAbsent(answer.outcome() == RawHttp.Outcome.ANSWERED ? Integer.toString(answer.status())
                : answer.outcome().name(), k -> new AtomicInteger()).incrementAndGet();
        switch (answer.outcome()) {
            case NO_ANSWER_IN_TIME -> failures.add("no answer in " + ANSWER_TIMEOUT + ": " + r.describe());
            case CLOSED_WITHOUT_ANSWER -> {
                if (!r.incomplete()) {
                    failures.add("closed without an answer: " + r.describe());
                } else if (r.heartbeatId() != null && unkeepable(r.body()) == null) {
                    // the client went away before the answer: the heartbeat may have been stored, unacknowledged
                    unanswered.put(producerOf(r.body()), r.body());
                }
            }
            case ANSWERED -> {
                if (answer.status() >= 500 && !(answer.status() == 505 && !speaksHttp1(r))) {
                    failures.add(answer.status() + " " + answer.bodyText() + " for " + r.describe());
                } else if (answer.status() >= 400 && !new String(r.bytes(), StandardCharsets.ISO_8859_1).startsWith("HEAD ")
                        && !isJsonError(answer)) {
                    failures.add(answer.status() + " without a JSON error body (" + answer.header("Content-Type") + ": "
                            + answer.bodyText() + ") for " + r.describe());
                } else if (answer.status() == 200 && r.heartbeatId() != null
                        && new String(r.bytes(), StandardCharsets.ISO_8859_1).startsWith("POST ")) {
                    String problem = unkeepable(r.body());
                    if (problem != null) {
                        failures.add("accepted a heartbeat it cannot keep (" + problem + "): " + r.describe());
                    } else {
                        // a mutation may have changed the id itself: the body says whose heartbeat was stored
                        accepted.put(producerOf(r.body()), r.body());
                    }
                }
            }
        }
    }

    /** The producer a well-formed heartbeat body names ({@code id}, or its other name {@code producer}). */
    private static String producerOf(byte[] body) {
        try {
            JsonNode tree = STRICT.readTree(body);
            JsonNode id = tree.has("id") ? tree.get("id") : tree.get("producer");
            return id == null ? "?" : id.asText();
        } catch (Exception e) {
            return "?";
        }
    }

    /** True when the request line names HTTP/1.0 or HTTP/1.1 (anything else is answered 505). */
    private static boolean speaksHttp1(FuzzRequest r) {
        String text = new String(r.bytes(), StandardCharsets.ISO_8859_1);
        int eol = text.indexOf("\r\n");
        String line = eol < 0 ? text : text.substring(0, eol);
        return line.endsWith(" HTTP/1.1") || line.endsWith(" HTTP/1.0");
    }

    private static boolean isJsonError(Answer answer) {
        String type = answer.header("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            return false;
        }
        try {
            return STRICT.readTree(answer.body()).path("error").isTextual();
        } catch (Exception e) {
            return false;
        }
    }

    /** Null when an accepted body is one TopHat can keep exactly, judged without TopHat's code. */
    private static String unkeepable(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            return "not UTF-8";
        }
        try {
            JsonNode tree = STRICT.readTree(body);
            return hasLoneSurrogate(tree) ? "a lone surrogate" : null;
        } catch (Exception e) {
            return "not JSON: " + e.getMessage();
        }
    }

    private static boolean hasLoneSurrogate(JsonNode node) {
        if (node.isTextual()) {
            return lone(node.textValue());
        }
        boolean[] found = {false};
        node.fields().forEachRemaining(m -> found[0] |= lone(m.getKey()) || hasLoneSurrogate(m.getValue()));
        node.elements().forEachRemaining(e -> found[0] |= hasLoneSurrogate(e));
        return found[0];
    }

    private static boolean lone(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(++i)))) {
                return true;
            }
            if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Reads the worker's SQLite files directly: the history and the inbox rows not yet merged into it. */
    private static void auditStore(Path dataDir, Map<String, GeneratedHeartbeat> valid, Map<String, byte[]> accepted,
                                   Map<String, byte[]> unanswered, long seed) throws SQLException {
        Map<String, List<JsonNode>> rows = new HashMap<>();
        try (Connection history = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("heartbeats.db"));
             Connection inbox = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("heartbeats-inbox.db"))) {
            long mergedThrough;
            try (ResultSet rs = history.createStatement().executeQuery("SELECT merged_through FROM store_info")) {
                mergedThrough = rs.next() ? rs.getLong(1) : 0;
            }
            collect(history.createStatement().executeQuery("SELECT producer, location, data FROM heartbeats"), rows);
            collect(inbox.createStatement().executeQuery("SELECT producer, location, data FROM inbox WHERE id > "
                    + mergedThrough), rows);
        }
        java.util.Set<String> unexpected = new java.util.TreeSet<>(rows.keySet());
        unexpected.removeAll(valid.keySet());
        unexpected.removeAll(accepted.keySet());
        unexpected.removeAll(unanswered.keySet());
        assertThat(unexpected).as("stored though refused, seed %d", seed).isEmpty();
        assertThat(rows.keySet()).as("producers stored, seed %d", seed)
                .containsAll(valid.keySet()).containsAll(accepted.keySet());
        rows.forEach((producer, stored) -> {
            assertThat(stored).as("rows of %s", producer).hasSize(1);
            JsonNode row = stored.get(0);
            GeneratedHeartbeat hb = valid.get(producer);
            if (hb != null) {
                RoundTrip.assertSameValue("stored data of " + producer, hb.data(), row.get("data"));
                RoundTrip.assertSameLocation("stored location of " + producer, hb.location(), row.get("location"));
            } else {
                byte[] body = accepted.containsKey(producer) ? accepted.get(producer) : unanswered.get(producer);
                assertThat(unkeepable(body)).as("stored body of %s", producer).isNull();
                JsonNode sent = RoundTrip.parse(new String(body, StandardCharsets.UTF_8));
                RoundTrip.assertSameValue("stored data of " + producer, sent.get("data"), row.get("data"));
                RoundTrip.assertSameLocation("stored location of " + producer, ExpectedLocation.of(sent.get("location")),
                        row.get("location"));
            }
        });
        System.out.printf("FuzzIT: the SQLite files hold exactly the %d accepted heartbeats (%d of them sent by clients"
                + " that left before the answer), each equal to what was sent%n", rows.size(),
                rows.size() - valid.size() - accepted.size());
    }

    private static void collect(ResultSet rs, Map<String, List<JsonNode>> rows) throws SQLException {
        try (rs) {
            while (rs.next()) {
                JsonNode row = JsonMapper.builder().build().createObjectNode()
                        .set("location", RoundTrip.parse(rs.getString(2)));
                ((com.fasterxml.jackson.databind.node.ObjectNode) row).set("data", RoundTrip.parse(rs.getString(3)));
                rows.computeIfAbsent(rs.getString(1), p -> new ArrayList<>()).add(row);
            }
        }
    }
}
