package io.tophat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.tophat.balancer.BalancerServer;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.http.RouteTable;
import io.tophat.testing.Http;
import io.tophat.worker.WorkerServer;
import io.vertx.core.http.HttpMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code docs/openapi.yaml} against running servers: the document is OpenAPI 3.1, it describes every route the
 * balancer and the worker register (and no route they do not), and the real answers of real
 * {@link EmbeddedCluster}s (loopback, free ports: one balancer with one worker, one with two workers for a history
 * spread over two stores, one without workers) to requests covering every described operation, on each server that
 * serves it, and its main answers have a documented status, the documented headers and a body valid against the
 * documented schema ({@code $ref}s resolved in the document, JSON Schema 2020-12 with the OpenAPI 3.1 dialect, by
 * networknt's validator).
 *
 * <p><b>Bodies that are not one JSON value.</b> A JSON media type ({@code application/json}, {@code +json} such as
 * GeoJSON) is validated as JSON; any other as a JSON string holding the body (the CSV header is a {@code pattern});
 * a media type with {@code x-tophat-line-schema} (NDJSON) must be lines ended by {@code \n}, each one JSON value
 * valid against that schema. Where both servers answer a status with different bodies, the document's schema is a
 * {@code oneOf} whose branches carry {@code x-tophat-server}: the body must then be valid against a branch of the
 * server that answered, not merely against the {@code oneOf}.
 *
 * <p><b>Where the route list comes from.</b> {@link RouteTable} has no public listing of its routes and main code is
 * not changed for this test, so the test asks each running server for its table by reflection: it calls the
 * server's own private {@code routes()} (the one method where each server lists every route it serves; calling it
 * builds a fresh, unattached table and has no side effect), reads the vertx-web routes from
 * {@link RouteTable#router()} ({@code getRoutes()}: method and path, {@code :name} written {@code {name}}), and
 * reads the fast routes served ahead of the router from the table's private {@code exact} (paths served for every
 * method, whose handler answers other methods 405 itself) and {@code prefixes} fields. A fast prefix {@code P}
 * (the balancer's {@code /get_data/}) is described by the one path {@code P{param}} ({@code /get_data/{id}}).
 * Should a renamed member break this, the test fails saying so; the fallback would be a regex over the source of
 * {@code routes()}, which this test does not need while the members exist.
 *
 * <p>Paths and methods outside a server's routes are checked too: a path the server does not serve must be answered
 * as {@code components/responses/NoSuchEndpoint}, a method it does not serve on a path as
 * {@code components/responses/MethodNotAllowed}.
 */
@Timeout(120)
class OpenApiTest {
    private static final String BALANCER = "balancer";
    private static final String WORKER = "worker";
    private static final Set<String> SERVERS = Set.of(BALANCER, WORKER);
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");
    /** The IRI the document is registered under in the schema registry, for absolute {@code $ref}s into it. */
    private static final String DOC_IRI = "https://tophat.test/openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VERTX_PARAM = Pattern.compile(":([A-Za-z0-9_]+)");
    private static final Pattern TEMPLATE_PARAM = Pattern.compile("\\{[^/}]+}");
    /** The line schema of a media type that is a sequence of JSON values, one per line (NDJSON). */
    static final String LINE_SCHEMA = "x-tophat-line-schema";
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    static Path dir;
    static JsonNode doc;
    static SchemaRegistry registry;
    static final Map<String, Schema> schemas = new HashMap<>();
    static EmbeddedCluster cluster;
    static EmbeddedCluster empty;
    /** Two workers: a producer moved from one to the other has its history in two stores. */
    static EmbeddedCluster pair;
    static String balancer;
    static String worker;
    static String workerUrl;

    @BeforeAll
    static void start() throws IOException {
        doc = new YAMLMapper().readTree(openApiFile().toFile());
        registry = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                b -> b.schemas(Map.of(DOC_IRI, json(doc))));
        cluster = new EmbeddedCluster(dir.resolve("cluster"), "127.0.0.1", c -> c).start(0, 1);
        empty = new EmbeddedCluster(dir.resolve("empty"), "127.0.0.1", c -> c).start(0, 0);
        pair = new EmbeddedCluster(dir.resolve("pair"), "127.0.0.1", c -> c).start(0, 2);
        balancer = cluster.balancerUri().toString();
        worker = "http://127.0.0.1:" + cluster.worker(0).port();
        workerUrl = cluster.worker(0).url();
        assertThat(Http.get(balancer + "/register/p1").body()).isEqualTo(workerUrl);
        assertThat(Http.postJson(worker + "/heartbeat", "{\"id\":\"p1\",\"location\":\"Amsterdam Centraal\","
                + "\"data\":{\"temp_c\": 21.5},\"seq\":1,\"device_time\":" + (System.currentTimeMillis() - 1000) + "}")
                .statusCode()).isEqualTo(200);
    }

    @AfterAll
    static void stop() {
        if (pair != null) {
            pair.close();
        }
        if (empty != null) {
            empty.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** {@code docs/openapi.yaml}: {@code ../docs} from the server module, else the nearest {@code docs} above. */
    private static Path openApiFile() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path server = start.resolve("../docs/openapi.yaml").normalize();
        if (Files.isRegularFile(server)) {
            return server;
        }
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolve("docs/openapi.yaml");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no docs/openapi.yaml at or above " + start);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The document itself

    @Test
    void the_document_is_openapi_3_1_with_both_servers_and_their_tags() {
        assertThat(doc.path("openapi").asText()).matches("3\\.1\\.\\d+");
        assertThat(doc.path("info").path("title").asText()).isNotBlank();
        assertThat(doc.path("servers").findValuesAsText("url"))
                .containsExactly("http://127.0.0.1:5000", "http://127.0.0.1:6000");
        assertThat(doc.path("tags").findValuesAsText("name")).containsExactlyInAnyOrder(BALANCER, WORKER);
        assertThat(doc.path("components").path("schemas").fieldNames()).toIterable().contains("ApiError",
                "StoredRecord", "Heartbeat", "WorkerRegistration", "LeaseRenewal", "WorkerLease", "ClusterView",
                "Assignment", "WorkerStatus", "Health", "HistoryPage", "HistoryRecord", "HistoryFeatureCollection",
                "HistoryCsv", "HeartbeatBatch", "BatchAnswer", "EraseAnswer", "WorkerEraseAnswer", "EraseIncomplete",
                "ProducerList", "WorkerProducerList");

        List<String> problems = new ArrayList<>();
        Set<String> operationIds = new TreeSet<>();
        for (Operation op : operations()) {
            String where = op.method().toUpperCase(Locale.ROOT) + " " + op.path();
            Set<String> tags = texts(op.node().path("tags"));
            if (tags.isEmpty() || !SERVERS.containsAll(tags)) {
                problems.add(where + ": tags " + tags + " must be some of " + SERVERS);
            }
            if (!op.servers().equals(tags)) {
                problems.add(where + ": x-tophat-server " + op.servers() + " differs from its tags " + tags);
            }
            if (!operationIds.add(op.node().path("operationId").asText(""))) {
                problems.add(where + ": operationId missing or not unique");
            }
            if (op.node().path("responses").isEmpty()) {
                problems.add(where + ": no responses");
            }
            marks(op.node(), "", (at, marked) -> {
                if (!op.servers().containsAll(marked)) {
                    problems.add(where + at + ": x-tophat-server " + marked + " not among " + op.servers());
                }
            });
            op.node().path("responses").fields().forEachRemaining(e -> {
                JsonNode response = resolve(e.getValue());
                Set<String> only = texts(response.path("x-tophat-server"));
                if (!op.servers().containsAll(only)) {
                    problems.add(where + " " + e.getKey() + ": x-tophat-server " + only + " not among " + op.servers());
                }
                if (e.getKey().equals("302") || e.getKey().equals("307")) {
                    JsonNode location = resolve(response.path("headers").path("Location"));
                    if (!location.path("required").asBoolean(false)) {
                        problems.add(where + " " + e.getKey() + ": a redirect needs a required Location header");
                    }
                }
                JsonNode schema = response.path("content").path("application/json").path("schema");
                if (e.getKey().equals("503") && schema.path("$ref").asText().endsWith("/ApiError")
                        && !resolve(response.path("headers").path("Retry-After")).path("required").asBoolean(false)) {
                    problems.add(where + " 503: an error 503 needs a required Retry-After header");
                }
            });
        }
        refs(doc, "", problems);
        assertThat(problems).as("problems in docs/openapi.yaml").isEmpty();
    }

    @Test
    void every_schema_of_the_document_compiles() {
        List<String> problems = new ArrayList<>();
        doc.path("components").path("schemas").fieldNames().forEachRemaining(name -> {
            try {
                schemaAt("#/components/schemas/" + name).validate("{}", InputFormat.JSON);
            } catch (RuntimeException e) {
                problems.add(name + ": " + e);
            }
        });
        assertThat(problems).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Routes

    @Test
    void every_route_the_servers_register_is_described() {
        List<String> missing = new ArrayList<>();
        for (RegisteredRoute route : registeredRoutes()) {
            String path = route.prefix() ? prefixPath(route.path()).orElse(null) : route.path();
            JsonNode item = path == null ? null : doc.path("paths").get(path);
            if (item == null) {
                missing.add(route + ": no path item" + (route.prefix() ? " " + route.path() + "{param}" : ""));
                continue;
            }
            boolean described = route.method() == null
                    ? operations().stream().anyMatch(op -> op.path().equals(path) && op.servers().contains(route.server()))
                    : operation(path, route.method()).filter(op -> op.servers().contains(route.server())).isPresent();
            if (!described) {
                missing.add(route + ": no operation served by " + route.server());
            }
        }
        assertThat(missing).as("routes the servers register that docs/openapi.yaml does not describe").isEmpty();
    }

    @Test
    void every_described_operation_is_a_route_its_servers_register() {
        List<RegisteredRoute> routes = registeredRoutes();
        List<String> stale = new ArrayList<>();
        for (Operation op : operations()) {
            for (String server : op.servers()) {
                boolean registered = routes.stream().anyMatch(r -> r.server().equals(server)
                        && (r.prefix() ? prefixPath(r.path()).filter(op.path()::equals).isPresent()
                        : r.path().equals(op.path()) && (r.method() == null || r.method().equals(op.method()))));
                if (!registered) {
                    stale.add(op.method().toUpperCase(Locale.ROOT) + " " + op.path() + " on the " + server);
                }
            }
        }
        assertThat(stale).as("operations docs/openapi.yaml describes that no server registers").isEmpty();
    }

    /** A route of one server: a router route (method and path), or a fast route (method null: every method). */
    record RegisteredRoute(String server, String method, String path, boolean prefix) {
        @Override
        public String toString() {
            return server + " " + (method == null ? "*" : method.toUpperCase(Locale.ROOT)) + " " + path
                    + (prefix ? "... (fast prefix)" : method == null ? " (fast)" : "");
        }
    }

    /** Both servers' routes, from their own route tables (see the class comment). */
    static List<RegisteredRoute> registeredRoutes() {
        List<RegisteredRoute> routes = new ArrayList<>();
        routes.addAll(routesOf(BALANCER, cluster.balancer(), BalancerServer.class));
        routes.addAll(routesOf(WORKER, cluster.worker(0), WorkerServer.class));
        assertThat(routes).as("routes read from the servers").hasSizeGreaterThan(10);
        return routes;
    }

    @SuppressWarnings("unchecked")
    private static List<RegisteredRoute> routesOf(String server, Object running, Class<?> type) {
        RouteTable table;
        Map<String, ?> exact;
        List<String> prefixes;
        try {
            Method routes = type.getDeclaredMethod("routes");
            routes.setAccessible(true);
            table = (RouteTable) routes.invoke(running);
            Field exactField = RouteTable.class.getDeclaredField("exact");
            Field prefixField = RouteTable.class.getDeclaredField("prefixes");
            exactField.setAccessible(true);
            prefixField.setAccessible(true);
            exact = (Map<String, ?>) exactField.get(table);
            prefixes = (List<String>) prefixField.get(table);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new AssertionError("cannot read the route table of the " + server + " (" + type.getSimpleName()
                    + ".routes(), RouteTable.exact, RouteTable.prefixes): " + e, e);
        }
        List<RegisteredRoute> out = new ArrayList<>();
        for (io.vertx.ext.web.Route route : table.router().getRoutes()) {
            assertThat(route.getPath()).as("a route of the " + server + " without a path").isNotNull();
            String path = VERTX_PARAM.matcher(route.getPath()).replaceAll("{$1}");
            if (route.methods() == null || route.methods().isEmpty()) {
                out.add(new RegisteredRoute(server, null, path, false));
            }
            for (HttpMethod method : route.methods() == null ? Set.<HttpMethod>of() : route.methods()) {
                out.add(new RegisteredRoute(server, method.name().toLowerCase(Locale.ROOT), path, false));
            }
        }
        exact.keySet().forEach(path -> out.add(new RegisteredRoute(server, null, path, false)));
        prefixes.forEach(prefix -> out.add(new RegisteredRoute(server, null, prefix, true)));
        return out;
    }

    /** The one described path that is {@code prefix} followed by a single path parameter. */
    private static Optional<String> prefixPath(String prefix) {
        Pattern p = Pattern.compile(Pattern.quote(prefix) + "\\{[^/}]+}");
        List<String> found = new ArrayList<>();
        doc.path("paths").fieldNames().forEachRemaining(path -> {
            if (p.matcher(path).matches()) {
                found.add(path);
            }
        });
        return found.size() == 1 ? Optional.of(found.get(0)) : Optional.empty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Real answers

    /**
     * One request to one server, and the status it is meant to get (so that each answer is the one intended);
     * {@code accept}, when not null, is sent as the {@code Accept} header.
     */
    record Call(String name, String server, String base, String method, String target, String contentType,
                String body, int expected, String accept) {
        Call(String name, String server, String base, String method, String target, String contentType, String body,
             int expected) {
            this(name, server, base, method, target, contentType, body, expected, null);
        }

        String describe() {
            return method + " " + target + (accept == null ? "" : " (Accept: " + accept + ")") + " on the " + server
                    + " (" + name + ")";
        }
    }

    /** What one answer broke, with the request named; and which operations were answered as documented. */
    static final class Report {
        final List<String> failures = new ArrayList<>();
        final Set<String> covered = new TreeSet<>();
        int requests;

        HttpResponse<String> check(Call call) {
            requests++;
            HttpResponse<String> r = send(call);
            List<String> problems = new ArrayList<>();
            if (r.statusCode() != call.expected()) {
                problems.add("expected status " + call.expected());
            }
            Checked checked = problems(call, r.statusCode(), r.headers().map(), r.body());
            problems.addAll(checked.problems());
            if (problems.isEmpty() && checked.operation() != null) {
                covered.add(call.server() + " " + checked.operation());
            }
            if (!problems.isEmpty()) {
                failures.add(call.describe() + " answered " + r.statusCode() + " " + abbreviate(r.body()) + ": "
                        + String.join("; ", problems));
            }
            return r;
        }

        Call call(String name, String server, String method, String target, String body, int expected) {
            return new Call(name, server, server.equals(BALANCER) ? balancer : worker, method, target,
                    body == null ? null : "application/json", body, expected);
        }

        HttpResponse<String> check(String name, String server, String method, String target, String body,
                                   int expected) {
            return check(call(name, server, method, target, body, expected));
        }

        /** A call to another server than the main cluster's ({@code base}: its base URL). */
        HttpResponse<String> at(String base, String name, String server, String method, String target, String body,
                                int expected) {
            return check(new Call(name, server, base, method, target, body == null ? null : "application/json", body,
                    expected));
        }

        /** What an answer must also be beyond the document (its content, as the request meant it). */
        void expect(boolean holds, String what) {
            if (!holds) {
                failures.add(what);
            }
        }
    }

    @Test
    void real_answers_match_the_documented_responses() {
        Report report = new Report();
        long now = System.currentTimeMillis();
        String longId = "x".repeat(65);
        String big = "{\"id\":\"big\",\"location\":\"home\",\"data\":\"" + "x".repeat(70_000) + "\"}";
        String labelled = "{\"id\":\"p1\",\"location\":\"Amsterdam Centraal\",\"data\":{\"temp_c\": 21.5},\"seq\":3,"
                + "\"device_time\":" + (now - 500) + "}";
        String positioned = "{\"id\":\"p1\",\"location\":{\"lat\":52.37,\"lon\":4.89,\"accuracy\":8.5,\"provider\":"
                + "\"gps\",\"alt\":null},\"data\":[1,\"two\",null],\"seq\":4,\"device_time\":" + now + "}";

        // health, and the seed protocol of the balancer
        report.check("alive", BALANCER, "GET", "/health", null, 200);
        report.check("a producer registers", BALANCER, "GET", "/register/p1", null, 200);
        report.check("a producer to fence later", BALANCER, "GET", "/register/fenced", null, 200);
        report.check("an id over 64 characters", BALANCER, "GET", "/register/" + longId, null, 400);
        report.check("a failed worker that is not a URL", BALANCER, "GET", "/register/p1?failed=not%20a%20url", null, 400);
        report.check("a consumer is redirected", BALANCER, "GET", "/get_data/p1", null, 302);
        report.check("a producer that never registered", BALANCER, "GET", "/get_data/nobody", null, 400);
        report.check("an id over 64 characters (fast path)", BALANCER, "GET", "/get_data/" + longId, null, 400);
        report.check("an id with an escape (router path)", BALANCER, "GET", "/get_data/a%20b", null, 400);
        report.check("a port that is not a number", BALANCER, "GET", "/balancer/abc", null, 400);
        report.check("a host with a path", BALANCER, "GET", "/balancer/7001?host=a/b", null, 400);
        report.check("a worker that never registered leaves", BALANCER, "GET", "/worker/quit/7001", null, 400);
        report.check("a port out of range leaves", BALANCER, "GET", "/worker/quit/70000", null, 400);

        // API v1 of the balancer, producers
        report.check("the latest record is on the worker", BALANCER, "GET", "/api/v1/producers/p1", null, 307);
        report.check("an unknown producer", BALANCER, "GET", "/api/v1/producers/nobody", null, 404);
        report.check("an id over 64 characters", BALANCER, "GET", "/api/v1/producers/" + longId, null, 400);
        report.check("history is on the worker", BALANCER, "GET", "/api/v1/producers/p1/history?limit=2", null, 307);
        report.check("history of an unknown producer", BALANCER, "GET", "/api/v1/producers/nobody/history", null, 404);
        report.check("history, an id over 64 characters", BALANCER, "GET", "/api/v1/producers/" + longId + "/history",
                null, 400);
        report.check("a producer is assigned", BALANCER, "POST", "/api/v1/producers/p2/assignment", null, 200);
        report.check("assignment, an id over 64 characters", BALANCER, "POST", "/api/v1/producers/" + longId
                + "/assignment", null, 400);
        report.check("assignment, a failed worker that is not a URL", BALANCER, "POST",
                "/api/v1/producers/p2/assignment?failed=not%20a%20url", null, 400);
        report.check("the cluster", BALANCER, "GET", "/api/v1/cluster", null, 200);

        // a seed worker joins, takes a producer and leaves: its producer's worker is down
        HttpResponse<String> joined = report.check("a seed worker joins", BALANCER, "GET", "/balancer/7001?host=10.0.0.7",
                null, 200);
        assertThat(joined.body()).isEqualTo("http://10.0.0.7:7001");
        String orphan = null;
        for (int i = 0; i < 6 && orphan == null; i++) {
            HttpResponse<String> r = report.check("a producer registers while two workers are up", BALANCER, "GET",
                    "/register/moved-" + i, null, 200);
            orphan = r.body().equals(joined.body()) ? "moved-" + i : null;
        }
        assertThat(orphan).as("a producer given to the seed worker").isNotNull();
        report.check("the cluster with a seed worker", BALANCER, "GET", "/api/v1/cluster", null, 200);
        report.check("the seed worker leaves", BALANCER, "GET", "/worker/quit/7001?host=10.0.0.7", null, 200);
        report.check("a producer whose worker left (seed)", BALANCER, "GET", "/get_data/" + orphan, null, 503);
        report.check("a producer whose worker left (v1)", BALANCER, "GET", "/api/v1/producers/" + orphan, null, 503);
        // its history is in a store no live worker reads: an incomplete answer naming the worker, never a 5xx
        HttpResponse<String> partial = report.check("history of a producer whose worker left", BALANCER, "GET",
                "/api/v1/producers/" + orphan + "/history", null, 200);
        report.expect(tree(partial).path("complete").isBoolean() && !tree(partial).path("complete").asBoolean()
                && tree(partial).path("missing").toString().equals("[\"10.0.0.7:7001\"]"),
                "a history without its store is complete:false, missing the seed worker: " + partial.body());
        HttpResponse<String> partialExport = report.check("an export of a producer whose worker left", BALANCER, "GET",
                "/api/v1/producers/" + orphan + "/history?format=ndjson", null, 200);
        report.expect(partialExport.headers().firstValue("TopHat-Missing").orElse("").equals("10.0.0.7:7001"),
                "an export without its store names the worker in TopHat-Missing: " + partialExport.headers().map());
        HttpResponse<String> unerased = report.check("erasure of a producer whose store no worker reads", BALANCER,
                "DELETE", "/api/v1/producers/" + orphan, null, 503);
        report.expect(tree(unerased).path("unreachable").toString().equals("[\"10.0.0.7:7001\"]")
                && tree(unerased).path("total").asLong(-1) == 0, "an incomplete erasure names what it did not reach: "
                + unerased.body());

        // API v1 of the balancer, workers: a v1 worker that is never started
        String fake = "127.0.0.1:7002";
        report.check("a worker registers", BALANCER, "POST", "/api/v1/workers", "{\"url\":\"http://" + fake
                + "\",\"port\":7002,\"store\":\"openapi-store\",\"store_proof\":\"proof-1\",\"store_shared\":false,"
                + "\"holds\":{\"held-1\":0}}", 200);
        report.check("a store claimed with another proof", BALANCER, "POST", "/api/v1/workers",
                "{\"url\":\"http://127.0.0.1:7003\",\"store\":\"openapi-store\",\"store_proof\":\"guess\"}", 409);
        report.check("a registration that is not JSON", BALANCER, "POST", "/api/v1/workers", "garbage", 400);
        report.check("an empty registration", BALANCER, "POST", "/api/v1/workers", "", 400);
        report.check("a registration with an ftp URL", BALANCER, "POST", "/api/v1/workers", "{\"url\":\"ftp://x\"}", 422);
        report.check("a registration holding a bad id", BALANCER, "POST", "/api/v1/workers",
                "{\"port\":7004,\"holds\":{\"a b\":1}}", 422);
        report.check("a lease renewal", BALANCER, "PUT", "/api/v1/workers/" + fake + "/lease", "{\"load\":{"
                + "\"producers_cached\":12,\"heartbeats_per_second\":3.5,\"queue_depth\":0,\"p99_ingest_ms\":1.8,"
                + "\"store\":\"openapi-store\"},\"store_failing_ms\":0}", 200);
        report.check("an empty lease renewal", BALANCER, "PUT", "/api/v1/workers/" + fake + "/lease", null, 200);
        report.check("a renewal of an unknown worker", BALANCER, "PUT", "/api/v1/workers/nobody:1/lease", "{}", 404);
        report.check("a negative store_failing_ms", BALANCER, "PUT", "/api/v1/workers/" + fake + "/lease",
                "{\"store_failing_ms\":-5}", 422);
        report.check("a renewal that is not JSON", BALANCER, "PUT", "/api/v1/workers/" + fake + "/lease", "[", 400);

        // fencing: the producer moves to the v1 worker, and the real worker refuses its heartbeats
        String fenced = "{\"id\":\"fenced\",\"location\":{\"lat\":1.5,\"lon\":2.5},\"data\":{\"n\":1}}";
        report.check("a heartbeat before the move", WORKER, "POST", "/heartbeat", fenced, 200);
        HttpResponse<String> moved = report.check("the producer's worker failed", BALANCER, "POST",
                "/api/v1/producers/fenced/assignment?failed=" + workerUrl, null, 200);
        assertThat(moved.body()).contains("http://" + fake);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> Http.postJson(worker + "/heartbeat", fenced).statusCode() == 409);
        report.check("a heartbeat of a producer moved away (seed)", WORKER, "POST", "/heartbeat", fenced, 409);
        report.check("a heartbeat of a producer moved away (v1)", WORKER, "POST", "/api/v1/heartbeats", fenced, 409);
        report.check("a batch of a producer moved away", WORKER, "POST", "/api/v1/producers/fenced/heartbeats",
                "[{\"location\":\"x\",\"data\":1}]", 409);

        report.check("a worker is drained", BALANCER, "POST", "/api/v1/workers/" + fake + "/drain", null, 200);
        report.check("an unknown worker is drained", BALANCER, "POST", "/api/v1/workers/nobody:1/drain", null, 404);
        report.check("the cluster with a drained worker", BALANCER, "GET", "/api/v1/cluster", null, 200);
        report.check("a worker is removed", BALANCER, "DELETE", "/api/v1/workers/" + fake, null, 204);
        report.check("a removed worker is removed again", BALANCER, "DELETE", "/api/v1/workers/" + fake, null, 404);

        // a balancer without workers
        report.check(new Call("no worker online (seed)", BALANCER, empty.balancerUri().toString(), "GET",
                "/register/p9", null, null, 400));
        report.check(new Call("no worker online (v1)", BALANCER, empty.balancerUri().toString(), "POST",
                "/api/v1/producers/p9/assignment", null, null, 503));
        report.check(new Call("a balancer without workers", BALANCER, empty.balancerUri().toString(), "GET",
                "/api/v1/cluster", null, null, 200));

        // methods and paths a balancer does not serve
        report.check("another method on /health", BALANCER, "POST", "/health", null, 405);
        report.check("another method on the cluster", BALANCER, "DELETE", "/api/v1/cluster", null, 405);
        report.check("another method on /get_data", BALANCER, "POST", "/get_data/p1", "{}", 405);
        report.check("an unknown path", BALANCER, "GET", "/no/such/path", null, 404);
        report.check("a worker's path", BALANCER, "GET", "/api/v1/status", null, 404);
        report.check("the worker's batch path", BALANCER, "POST", "/api/v1/producers/p1/heartbeats", "[]", 404);
        report.check("another method on the producer list (balancer)", BALANCER, "POST", "/api/v1/producers", "{}", 405);
        report.check("another method on a producer (balancer)", BALANCER, "PUT", "/api/v1/producers/p1", "{}", 405);

        // the worker: heartbeats
        report.check("alive", WORKER, "GET", "/health", null, 200);
        report.check("a heartbeat with a label (seed)", WORKER, "POST", "/heartbeat", labelled, 200);
        report.check("a heartbeat with a position and extras (v1)", WORKER, "POST", "/api/v1/heartbeats", positioned, 200);
        report.check("a heartbeat with a numeric id", WORKER, "POST", "/api/v1/heartbeats",
                "{\"id\":356938035643809,\"location\":{\"lat\":-33.9,\"lon\":18.4,\"bearing\":359.5},\"data\":\"a\"}", 200);
        report.check("a heartbeat with the producer member", WORKER, "POST", "/heartbeat",
                "{\"producer\":\"p3\",\"location\":\"\",\"data\":null,\"seq\":null,\"device_time\":null}", 200);
        report.check("no data (seed)", WORKER, "POST", "/heartbeat", "{\"id\":\"a\",\"location\":{\"lat\":1,\"lon\":2}}", 400);
        report.check("not JSON (seed)", WORKER, "POST", "/heartbeat", "hello", 400);
        report.check("an empty body (seed)", WORKER, "POST", "/heartbeat", "", 400);
        report.check("a body over the limit (seed)", WORKER, "POST", "/heartbeat", big, 413);
        report.check(new Call("not JSON by its Content-Type", WORKER, worker, "POST", "/api/v1/heartbeats", "text/plain",
                "{\"id\":\"3000\",\"location\":\"x\",\"data\":1}", 415));
        report.check("a latitude out of range (v1)", WORKER, "POST", "/api/v1/heartbeats",
                "{\"id\":\"3000\",\"location\":{\"lat\":91,\"lon\":2},\"data\":null}", 422);
        report.check("cut-off JSON (v1)", WORKER, "POST", "/api/v1/heartbeats", "{\"id\": \"3000\", \"location\": ", 400);
        report.check("an empty body (v1)", WORKER, "POST", "/api/v1/heartbeats", "", 400);
        report.check("a body over the limit (v1)", WORKER, "POST", "/api/v1/heartbeats", big, 413);

        // the worker: reads
        report.check("the latest data", WORKER, "GET", "/get_data/p1", null, 200);
        report.check("the latest data, a null", WORKER, "GET", "/get_data/p3", null, 200);
        report.check("no data from a producer", WORKER, "GET", "/get_data/nobody", null, 400);
        report.check("an id over 64 characters", WORKER, "GET", "/get_data/" + longId, null, 400);
        report.check("the latest data at a label", WORKER, "GET", "/get_data_location/Amsterdam%20Centraal", null, 200);
        report.check("no data at a label", WORKER, "GET", "/get_data_location/Utrecht", null, 400);
        report.check("a label over 256 characters", WORKER, "GET", "/get_data_location/" + "l".repeat(257), null, 400);
        report.check("the latest record, a position", WORKER, "GET", "/api/v1/producers/p1", null, 200);
        report.check("the latest record, a numeric id", WORKER, "GET", "/api/v1/producers/356938035643809", null, 200);
        report.check("the latest record, an empty label and null data", WORKER, "GET", "/api/v1/producers/p3", null, 200);
        report.check("no record of a producer", WORKER, "GET", "/api/v1/producers/nobody", null, 404);
        report.check("an id over 64 characters", WORKER, "GET", "/api/v1/producers/" + longId, null, 400);
        report.check("a producer's history", WORKER, "GET", "/api/v1/producers/p1/history", null, 200);
        report.check("a full page of history", WORKER, "GET", "/api/v1/producers/p1/history?limit=1", null, 200);
        report.check("history between two times", WORKER, "GET", "/api/v1/producers/p1/history?from=0&to="
                + (now + 60_000) + "&limit=10", null, 200);
        report.check("history of a producer never heard of", WORKER, "GET", "/api/v1/producers/nobody/history", null, 200);
        report.check("history, from after to", WORKER, "GET", "/api/v1/producers/p1/history?from=10&to=5", null, 400);
        report.check("history, a limit of 0", WORKER, "GET", "/api/v1/producers/p1/history?limit=0", null, 400);
        report.check("history, from not a number", WORKER, "GET", "/api/v1/producers/p1/history?from=abc", null, 400);
        report.check("history, an id over 64 characters", WORKER, "GET", "/api/v1/producers/" + longId + "/history",
                null, 400);
        report.check("history, newest first with a cursor", WORKER, "GET", "/api/v1/producers/p1/history?order=desc"
                + "&limit=1&cursor=" + tree(report.check("history, the first page", WORKER, "GET",
                "/api/v1/producers/p1/history?order=desc&limit=1", null, 200)).path("next").asText(), null, 200);
        report.check("history, ISO-8601 times, oldest first", WORKER, "GET", "/api/v1/producers/p1/history?from="
                + "1970-01-01T00:00:00Z&to=" + enc(java.time.Instant.ofEpochMilli(now + 60_000).atOffset(
                java.time.ZoneOffset.ofHours(1)).toString()) + "&order=asc", null, 200);
        HttpResponse<String> keyed = report.check("history with keys (the balancer's request)", WORKER, "GET",
                "/api/v1/producers/p1/history?keys=true", null, 200);
        report.expect(tree(keyed).path("heartbeats").path(0).has("key"), "keys=true adds key: " + keyed.body());
        checkExports(report, WORKER, worker, "/api/v1/producers/p1/history", "history of p1 on its worker");
        report.check(new Call("history as CSV by Accept", WORKER, worker, "GET", "/api/v1/producers/p1/history", null,
                null, 200, "text/csv"));
        report.check("an export of a producer never heard of", WORKER, "GET",
                "/api/v1/producers/nobody/history?format=geojson", null, 200);
        report.check("history, a bad order", WORKER, "GET", "/api/v1/producers/p1/history?order=up", null, 400);
        report.check("history, a bad cursor", WORKER, "GET", "/api/v1/producers/p1/history?cursor=zz", null, 400);
        report.check("history, a bad format", WORKER, "GET", "/api/v1/producers/p1/history?format=xml", null, 400);
        report.check("history, a to that is no time", WORKER, "GET",
                "/api/v1/producers/p1/history?to=2026-13-01T00:00:00Z", null, 400);
        report.check("history, a limit over 10000", WORKER, "GET", "/api/v1/producers/p1/history?limit=10001", null, 400);

        // the worker: a batch of heartbeats
        HttpResponse<String> batch = report.check("a batch with duplicates", WORKER, "POST",
                "/api/v1/producers/p1/heartbeats", "[{\"location\":{\"lat\":52.38,\"lon\":4.9},\"data\":{\"n\":4},"
                        + "\"seq\":4},{\"id\":\"p1\",\"location\":{\"lat\":52.39,\"lon\":4.91},\"data\":{\"n\":5},"
                        + "\"seq\":5,\"device_time\":" + (now - 100) + "},{\"location\":\"x\",\"data\":null,\"seq\":5},"
                        + "{\"location\":\"Amsterdam Centraal\",\"data\":[1]}]", 200);
        report.expect(tree(batch).path("stored").asInt() == 2 && tree(batch).path("duplicates").asInt() == 2
                && tree(batch).path("max_seq").asLong() == 5, "seq 4 stored before, seq 5 twice: " + batch.body());
        report.check("a batch without seq", WORKER, "POST", "/api/v1/producers/356938035643809/heartbeats",
                "[{\"id\":356938035643809,\"location\":\"x\",\"data\":1}]", 200);
        report.check("a batch with a bad item", WORKER, "POST", "/api/v1/producers/p1/heartbeats",
                "[{\"location\":\"x\",\"data\":1},{\"location\":{\"lat\":91,\"lon\":1},\"data\":1}]", 422);
        report.check("a batch with another producer's item", WORKER, "POST", "/api/v1/producers/p1/heartbeats",
                "[{\"id\":\"p2\",\"location\":\"x\",\"data\":1}]", 422);
        report.check("an empty batch", WORKER, "POST", "/api/v1/producers/p1/heartbeats", "[]", 422);
        report.check("a batch that is an object", WORKER, "POST", "/api/v1/producers/p1/heartbeats",
                "{\"location\":\"x\",\"data\":1}", 422);
        report.check("a batch of 1001", WORKER, "POST", "/api/v1/producers/p1/heartbeats",
                "[" + String.join(",", java.util.Collections.nCopies(1001, "{\"location\":\"x\",\"data\":1}"))
                        + "]", 422);
        report.check("a cut-off batch", WORKER, "POST", "/api/v1/producers/p1/heartbeats", "[{", 400);
        report.check("an empty batch body", WORKER, "POST", "/api/v1/producers/p1/heartbeats", "", 400);
        report.check("a batch, an id with an escape", WORKER, "POST", "/api/v1/producers/a%20b/heartbeats", "[]", 400);
        report.check(new Call("a batch not JSON by its Content-Type", WORKER, worker, "POST",
                "/api/v1/producers/p1/heartbeats", "text/plain", "[{\"location\":\"x\",\"data\":1}]", 415));
        report.check("a batch over 4 MiB", WORKER, "POST", "/api/v1/producers/p1/heartbeats",
                "[{\"location\":\"x\",\"data\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}]", 413);

        // the worker: erasure and its producer list
        report.check("a heartbeat to erase", WORKER, "POST", "/api/v1/heartbeats",
                "{\"id\":\"erase-me\",\"location\":\"x\",\"data\":1,\"seq\":1}", 200);
        HttpResponse<String> erasedHere = report.check("a producer erased on its worker", WORKER, "DELETE",
                "/api/v1/producers/erase-me", null, 200);
        report.expect(tree(erasedHere).path("erased").asLong() == 1, "one heartbeat erased: " + erasedHere.body());
        report.check("a producer this worker does not hold is erased", WORKER, "DELETE", "/api/v1/producers/nobody",
                null, 200);
        report.check("erasure, an id over 64 characters", WORKER, "DELETE", "/api/v1/producers/" + longId, null, 400);
        report.check("erased: no record", WORKER, "GET", "/api/v1/producers/erase-me", null, 404);
        HttpResponse<String> held = report.check("the producers this worker holds", WORKER, "GET", "/api/v1/producers",
                null, 200);
        report.expect(held.body().contains("\"p1\"") && !held.body().contains("erase-me"), "p1 listed, erase-me not: "
                + held.body());
        report.check("the producers after an id, seen since, one", WORKER, "GET", "/api/v1/producers?after=a&limit=1"
                + "&seen_since=" + enc(java.time.Instant.ofEpochMilli(now - 3_600_000).toString()), null, 200);
        report.check("producers, a limit of 0", WORKER, "GET", "/api/v1/producers?limit=0", null, 400);
        report.check("producers, seen_since not a time", WORKER, "GET", "/api/v1/producers?seen_since=yesterday", null,
                400);
        report.check("the worker's status", WORKER, "GET", "/api/v1/status", null, 200);
        report.check("near a point (worker)", WORKER, "GET", "/api/v1/near?lat=0&lon=0&radius_m=20000000", null, 200);
        report.check("near, no radius (worker)", WORKER, "GET", "/api/v1/near?lat=0&lon=0", null, 400);
        streams(report, WORKER);

        // the balancer: history parameters, a single store, erasure, the producer list
        report.check("history, from after to (balancer)", BALANCER, "GET", "/api/v1/producers/p1/history?from=10&to=5",
                null, 400);
        report.check("history, a bad limit (balancer)", BALANCER, "GET", "/api/v1/producers/p1/history?limit=x", null,
                400);
        report.check("history, a bad order (balancer)", BALANCER, "GET", "/api/v1/producers/p1/history?order=up", null,
                400);
        report.check("history, a bad cursor (balancer)", BALANCER, "GET", "/api/v1/producers/nobody/history?cursor=zz",
                null, 400);
        report.check("history, a bad format (balancer)", BALANCER, "GET", "/api/v1/producers/p1/history?format=pdf", null,
                400);
        report.check("history, from not a time (balancer)", BALANCER, "GET", "/api/v1/producers/p1/history?from=abc",
                null, 400);
        HttpResponse<String> exportRedirect = report.check("an export in one store is on the worker", BALANCER, "GET",
                "/api/v1/producers/p1/history?format=csv&order=asc", null, 307);
        report.expect(exportRedirect.headers().firstValue("Location").orElse("").equals(workerUrl
                + "/api/v1/producers/p1/history?format=csv&order=asc"), "the redirect keeps the query: "
                + exportRedirect.headers().map());
        HttpResponse<String> erasedAll = report.check("a producer assigned and never heard from is erased", BALANCER,
                "DELETE", "/api/v1/producers/p2", null, 200);
        report.expect(tree(erasedAll).path("total").asLong(-1) == 0 && tree(erasedAll).path("erased").size() == 1,
                "p2's one store, nothing in it: " + erasedAll.body());
        report.check("an erased producer is erased again", BALANCER, "DELETE", "/api/v1/producers/p2", null, 404);
        report.check("an erased producer has no history", BALANCER, "GET", "/api/v1/producers/p2/history", null, 404);
        report.check("erasure, an id over 64 characters (balancer)", BALANCER, "DELETE", "/api/v1/producers/" + longId,
                null, 400);
        HttpResponse<String> listed = report.check("the producers", BALANCER, "GET", "/api/v1/producers", null, 200);
        report.expect(listed.body().contains("\"id\":\"p1\"") && !listed.body().contains("\"p2\""),
                "p1 listed, the erased p2 not: " + listed.body());
        HttpResponse<String> first = report.check("the producers, one a page", BALANCER, "GET",
                "/api/v1/producers?limit=1", null, 200);
        report.check("the producers, the next page", BALANCER, "GET", "/api/v1/producers?limit=1&cursor="
                + tree(first).path("next").asText(), null, 200);
        report.check("the producers seen in the last hour", BALANCER, "GET", "/api/v1/producers?seen_since="
                + enc(java.time.Instant.ofEpochMilli(now - 3_600_000).toString()), null, 200);
        report.check("producers, a limit of 0 (balancer)", BALANCER, "GET", "/api/v1/producers?limit=0", null, 400);
        report.check("producers, a bad cursor", BALANCER, "GET", "/api/v1/producers?cursor=zz", null, 400);
        report.check("a consumer key is made", BALANCER, "POST", "/api/v1/keys",
                "{\"name\":\"doc-key\",\"prefixes\":[\"held-\"],\"ops\":[\"read\"]}", 201);
        report.check("a key with an unknown operation", BALANCER, "POST", "/api/v1/keys",
                "{\"name\":\"bad\",\"ops\":[\"fly\"]}", 422);
        report.check("the keys", BALANCER, "GET", "/api/v1/keys", null, 200);
        report.check("a key is revoked", BALANCER, "DELETE", "/api/v1/keys/doc-key", null, 204);
        report.check("an unknown key is revoked", BALANCER, "DELETE", "/api/v1/keys/doc-key", null, 404);
        report.check("near a point", BALANCER, "GET", "/api/v1/near?lat=10&lon=20&radius_m=20000000&limit=5", null, 200);
        report.check("near, a latitude of 91", BALANCER, "GET", "/api/v1/near?lat=91&lon=0&radius_m=5", null, 400);
        streams(report, BALANCER);
        areas(report);
        report.check("producers, seen_since not a time (balancer)", BALANCER, "GET", "/api/v1/producers?seen_since=x",
                null, 400);
        report.check(new Call("no producers without workers", BALANCER, empty.balancerUri().toString(), "GET",
                "/api/v1/producers", null, null, 200));

        phones(report);
        movedHistory(report, now);

        // methods and paths a worker does not serve
        report.check("GET on the seed heartbeat path", WORKER, "GET", "/heartbeat", null, 405);
        report.check("PUT on the v1 heartbeat path", WORKER, "PUT", "/api/v1/heartbeats", "{}", 405);
        report.check("another method on the status", WORKER, "POST", "/api/v1/status", null, 405);
        report.check("another method on /get_data", WORKER, "DELETE", "/get_data/p1", null, 405);
        report.check("an unknown path", WORKER, "GET", "/no/such/path", null, 404);
        report.check("a balancer's path", WORKER, "GET", "/register/p1", null, 404);
        report.check("another method on the producer list", WORKER, "POST", "/api/v1/producers", "{}", 405);
        report.check("GET on the batch path", WORKER, "GET", "/api/v1/producers/p1/heartbeats", null, 405);
        report.check("another method on a producer", WORKER, "PUT", "/api/v1/producers/p1", "{}", 405);
        report.check("another method on the history", WORKER, "DELETE", "/api/v1/producers/p1/history", null, 405);

        assertThat(report.failures).as(report.failures.size() + " problems in " + report.requests
                + " answers checked against docs/openapi.yaml").isEmpty();
        Set<String> described = new TreeSet<>();
        for (Operation op : operations()) {
            op.servers().forEach(s -> described.add(s + " " + op));
        }
        assertThat(report.covered).as("operations answered as documented, by server").containsAll(described);
        System.out.printf("OpenApiTest: %d requests checked, covering %d operations (%d operation-server pairs)%n",
                report.requests, operations().size(), described.size());
    }

    /**
     * A producer whose history is in two stores: it sends to one worker of {@link #pair}, is moved to the other
     * ({@code ?failed=}), and sends a batch there that repeats its last heartbeat (a retry after a failover). The
     * balancer merges the two stores, answers the repeated heartbeat once, pages with a cursor, streams every
     * format, lists the producer and erases it from both stores.
     */
    private static void movedHistory(Report report, long now) {
        String pb = pair.balancerUri().toString();
        String first = report.at(pb, "a producer registers (two workers)", BALANCER, "GET", "/register/traveller",
                null, 200).body().strip();
        String hb1 = "{\"id\":\"traveller\",\"seq\":1,\"location\":\"home\",\"data\":{\"n\":1},\"device_time\":"
                + (now - 40_000) + "}";
        String hb2 = "{\"id\":\"traveller\",\"seq\":2,\"location\":{\"lat\":56.33,\"lon\":-2.79,\"accuracy\":5.0},"
                + "\"data\":{\"n\":2},\"device_time\":" + (now - 30_000) + "}";
        report.at(first, "a heartbeat before the move", WORKER, "POST", "/api/v1/heartbeats", hb1, 200);
        report.at(first, "another heartbeat before the move", WORKER, "POST", "/api/v1/heartbeats", hb2, 200);
        HttpResponse<String> moved = report.at(pb, "the producer's worker failed (two workers)", BALANCER, "POST",
                "/api/v1/producers/traveller/assignment?failed=" + enc(first), null, 200);
        String second = tree(moved).path("worker").asText();
        assertThat(second).as("the producer moved to the other worker").isNotEqualTo(first).startsWith("http://");
        HttpResponse<String> batch = report.at(second, "a batch after the move, repeating the last heartbeat", WORKER,
                "POST", "/api/v1/producers/traveller/heartbeats", "[" + hb2 + ",{\"seq\":3,\"location\":{\"lat\":56.34,"
                        + "\"lon\":-2.8,\"alt\":12.5},\"data\":{\"n\":3},\"device_time\":" + (now - 20_000) + "},"
                        + "{\"seq\":4,\"location\":{\"lat\":56.35,\"lon\":-2.81},\"data\":{\"n\":4},\"device_time\":"
                        + (now - 10_000) + "}]", 200);
        report.expect(tree(batch).path("stored").asInt() == 3, "seq 2 is not in the second store yet: " + batch.body());

        String history = "/api/v1/producers/traveller/history";
        HttpResponse<String> merged = report.at(pb, "a history in two stores, merged", BALANCER, "GET",
                history + "?order=asc", null, 200);
        report.expect(seqs(merged).equals(List.of(1L, 2L, 3L, 4L)) && tree(merged).path("complete").asBoolean(),
                "both stores, the repeated heartbeat once, complete: " + merged.body());
        HttpResponse<String> page1 = report.at(pb, "a merged page", BALANCER, "GET", history + "?limit=3", null, 200);
        HttpResponse<String> page2 = report.at(pb, "the next merged page", BALANCER, "GET", history + "?limit=3&cursor="
                + tree(page1).path("next").asText(), null, 200);
        report.expect(seqs(page1).equals(List.of(4L, 3L, 2L)) && seqs(page2).equals(List.of(1L))
                && tree(page2).path("next").isNull(), "two pages, newest first: " + page1.body() + " " + page2.body());
        HttpResponse<String> before = report.at(first, "the first worker's part", WORKER, "GET", history + "?order=asc",
                null, 200);
        HttpResponse<String> after = report.at(second, "the second worker's part", WORKER, "GET", history + "?order=asc",
                null, 200);
        report.expect(seqs(before).equals(List.of(1L, 2L)) && seqs(after).equals(List.of(2L, 3L, 4L)),
                "each worker answers its own store: " + before.body() + " " + after.body());
        checkExports(report, BALANCER, pb, history, "a merged history");
        checkExports(report, WORKER, second, history, "the second worker's part");

        HttpResponse<String> listed = report.at(pb, "the producers (two workers)", BALANCER, "GET", "/api/v1/producers",
                null, 200);
        JsonNode traveller = tree(listed).path("producers").path(0);
        report.expect(traveller.path("id").asText().equals("traveller")
                && traveller.path("worker").asText().equals(second) && traveller.path("last_seen").asLong() == now - 10_000,
                "traveller, its worker, its last time: " + listed.body());
        report.at(second, "the producers of the second worker", WORKER, "GET", "/api/v1/producers", null, 200);

        HttpResponse<String> erased = report.at(pb, "a producer erased from two stores", BALANCER, "DELETE",
                "/api/v1/producers/traveller", null, 200);
        report.expect(tree(erased).path("total").asLong() == 5 && tree(erased).path("erased").size() == 2,
                "2 + 3 heartbeats in two stores: " + erased.body());
        report.at(pb, "an erased producer (two workers)", BALANCER, "DELETE", "/api/v1/producers/traveller", null, 404);
        report.at(pb, "the history of an erased producer", BALANCER, "GET", history, null, 404);
        HttpResponse<String> gone = report.at(second, "the second worker's part, erased", WORKER, "GET", history, null,
                200);
        report.expect(seqs(gone).isEmpty(), "nothing left on the worker: " + gone.body());
    }

    /**
     * A history's JSON page (oldest first) and its three streamed formats, each with the same heartbeats: NDJSON
     * lines equal to the page's records, CSV rows, GeoJSON features (plus the track when two have a position).
     */
    /** A stream answers for ever: its mistakes are checked here, its frames in the stream tests. */
    /** The front door for phone apps: OsmAnd in the query, a form, JSON; OwnTracks at both paths. */
    private static void phones(Report report) {
        report.check("an OsmAnd position in the query", BALANCER, "GET",
                "/osmand?id=doc-phone&lat=56.34&lon=-2.79&timestamp=1764590400&speed=3&batt=80", null, 200);
        report.check("an OsmAnd position out of range", BALANCER, "GET", "/osmand?id=doc-phone&lat=91&lon=0", null, 400);
        report.check(new Call("an OsmAnd position in a form", BALANCER, balancer, "POST", "/osmand",
                "application/x-www-form-urlencoded", "id=doc-phone&lat=56.35&lon=-2.79&timestamp=1764590460", 200));
        report.check("OsmAnd positions as a JSON array", BALANCER, "POST", "/osmand",
                "[{\"id\":\"doc-phone\",\"lat\":56.36,\"lon\":-2.79,\"timestamp\":1764590520}]", 200);
        report.check("a Traccar Client 9 position", BALANCER, "POST", "/osmand", "{\"device_id\":\"doc-phone\","
                + "\"location\":{\"timestamp\":\"2025-12-01T12:03:00Z\",\"coords\":{\"latitude\":56.37,"
                + "\"longitude\":-2.79,\"speed\":-1},\"battery\":{\"level\":0.5,\"is_charging\":false}}}", 200);
        String location = "{\"_type\":\"location\",\"lat\":56.34,\"lon\":-2.79,\"tst\":1764590400,\"vel\":18,"
                + "\"batt\":70}";
        report.check("an OwnTracks location", BALANCER, "POST", "/pub?u=doc&d=phone", location, 200);
        report.check("an OwnTracks last will", BALANCER, "POST", "/owntracks?u=doc&d=phone",
                "{\"_type\":\"lwt\",\"tst\":1764590400}", 200);
        report.check("an OwnTracks location without a latitude", BALANCER, "POST", "/owntracks?u=doc&d=phone",
                "{\"_type\":\"location\",\"lon\":1}", 400);
        report.check("an OwnTracks message from nobody", BALANCER, "POST", "/pub", location, 400);
    }

    private static void streams(Report report, String server) {
        String on = " (" + server + ")";
        report.check("a stream from a bad token" + on, server, "GET", "/api/v1/stream?after=zz", null, 400);
        report.check("a stream of an empty id" + on, server, "GET", "/api/v1/stream?producers=p1,", null, 400);
        report.check("a producer's stream, a bad id" + on, server, "GET", "/api/v1/producers/a%20b/stream", null, 400);
        report.check("a WebSocket path asked over plain HTTP" + on, server, "GET", "/api/v1/ws", null, 426);
        report.check("a producer's WebSocket, a bad id" + on, server, "GET", "/api/v1/producers/a%20b/ws", null, 400);
        report.check("a producer's WebSocket over plain HTTP" + on, server, "GET", "/api/v1/producers/p1/ws", null, 426);
    }

    private static void areas(Report report) {
        String circle = "{\"name\":\"plaza\",\"lat\":10,\"lon\":20,\"radius_m\":500}";
        report.check("an area", BALANCER, "POST", "/api/v1/areas", circle, 201);
        report.check("the same area again", BALANCER, "POST", "/api/v1/areas", circle, 200);
        report.check("another shape by that name", BALANCER, "POST", "/api/v1/areas",
                "{\"name\":\"plaza\",\"lat\":10,\"lon\":20,\"radius_m\":50}", 409);
        report.check("a polygon area", BALANCER, "POST", "/api/v1/areas", "{\"name\":\"park\",\"polygon\":{\"type\":"
                + "\"Polygon\",\"coordinates\":[[[20,10],[20.01,10],[20.01,10.01],[20,10.01],[20,10]]]}}", 201);
        report.check("an area with an open ring", BALANCER, "POST", "/api/v1/areas", "{\"name\":\"x\",\"polygon\":"
                + "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}}", 422);
        report.check("an area that is not JSON", BALANCER, "POST", "/api/v1/areas", "{", 400);
        report.check("the areas", BALANCER, "GET", "/api/v1/areas", null, 200);
        report.check("who is inside an area", BALANCER, "GET", "/api/v1/areas/plaza", null, 200);
        report.check("an unknown area", BALANCER, "GET", "/api/v1/areas/nowhere", null, 404);
        report.check("an unknown area's events", BALANCER, "GET", "/api/v1/areas/nowhere/stream", null, 404);
        report.check("an area removed", BALANCER, "DELETE", "/api/v1/areas/park", null, 204);
        report.check("an unknown area removed", BALANCER, "DELETE", "/api/v1/areas/park", null, 404);
    }

    private static void checkExports(Report report, String server, String base, String history, String name) {
        JsonNode page = tree(report.check(new Call(name + ", the page to export", server, base, "GET",
                history + "?order=asc&limit=10000", null, null, 200)));
        List<JsonNode> records = new ArrayList<>();
        page.path("heartbeats").forEach(records::add);
        long positions = records.stream().filter(r -> r.path("location").isObject()).count();
        HttpResponse<String> ndjson = report.check(new Call(name + ", NDJSON", server, base, "GET",
                history + "?format=ndjson&order=asc", null, null, 200));
        List<JsonNode> lines = ndjson.body().lines().map(OpenApiTest::tree).toList();
        report.expect(mediaType(ndjson).equals("application/x-ndjson") && lines.equals(records),
                name + ": the NDJSON lines are the page's records: " + abbreviate(ndjson.body()));
        HttpResponse<String> csv = report.check(new Call(name + ", CSV", server, base, "GET",
                history + "?format=csv&order=asc", null, null, 200));
        report.expect(mediaType(csv).equals("text/csv") && csv.body().split("\r\n").length == records.size() + 1,
                name + ": a header and a row a heartbeat: " + abbreviate(csv.body()));
        HttpResponse<String> geojson = report.check(new Call(name + ", GeoJSON by Accept", server, base, "GET",
                history + "?order=asc", null, null, 200, "application/geo+json"));
        JsonNode features = tree(geojson).path("features");
        report.expect(mediaType(geojson).equals("application/geo+json")
                        && features.size() == records.size() + (positions >= 2 ? 1 : 0)
                        && (positions < 2 || features.path(features.size() - 1).path("geometry").path("coordinates")
                        .size() == positions),
                name + ": a feature a heartbeat and the track: " + abbreviate(geojson.body()));
    }

    private static List<Long> seqs(HttpResponse<String> page) {
        List<Long> seqs = new ArrayList<>();
        tree(page).path("heartbeats").forEach(h -> seqs.add(h.path("seq").asLong()));
        return seqs;
    }

    private static String mediaType(HttpResponse<String> r) {
        return r.headers().firstValue("content-type").orElse("").split(";")[0].trim();
    }

    private static JsonNode tree(HttpResponse<String> r) {
        return tree(r.body());
    }

    private static JsonNode tree(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private static String enc(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    @Test
    void the_validator_reports_what_breaks_the_document() {
        Schema apiError = schemaAt("#/components/schemas/ApiError");
        assertThat(apiError.validate("{\"error\":\"unknown producer\",\"detail\":\"no producer 9\"}", InputFormat.JSON))
                .isEmpty();
        assertThat(apiError.validate("{\"detail\":\"no error member\"}", InputFormat.JSON)).isNotEmpty();
        assertThat(apiError.validate("{\"error\":\"x\",\"extra\":1}", InputFormat.JSON)).isNotEmpty();
        Schema record = schemaAt("#/components/schemas/StoredRecord");
        assertThat(record.validate("{\"producer\":\"a b\",\"location\":{\"lat\":1.0},\"data\":1,\"ip_address\":\"x\","
                + "\"received_at\":-1}", InputFormat.JSON)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(schemaAt("#/components/schemas/Heartbeat").validate("{\"id\":\"a\",\"location\":\"x\"}",
                InputFormat.JSON)).isNotEmpty();

        Call health = new Call("a made-up answer", WORKER, worker, "GET", "/health", null, null, 200);
        assertThat(problems(health, 200, Map.of("content-type", List.of("application/json")),
                "{\"status\":\"ok\",\"role\":\"worker\"}").problems()).isEmpty();
        assertThat(problems(health, 200, Map.of("content-type", List.of("application/json")),
                "{\"status\":\"fine\",\"role\":\"worker\"}").problems()).isNotEmpty();
        assertThat(problems(health, 418, Map.of("content-type", List.of("application/json")), "{}").problems())
                .anyMatch(p -> p.contains("not documented"));
        assertThat(problems(health, 503, Map.of("content-type", List.of("application/json")),
                "{\"status\":\"state lost\",\"role\":\"balancer\",\"detail\":\"x\"}").problems())
                .anyMatch(p -> p.contains("documented for the [balancer] only"));
        Call redirect = new Call("a made-up redirect", BALANCER, balancer, "GET", "/get_data/p1", null, null, 302);
        assertThat(problems(redirect, 302, Map.of(), "").problems()).anyMatch(p -> p.contains("Location"));
        Call unknown = new Call("a made-up 404", BALANCER, balancer, "GET", "/no/such/path", null, null, 404);
        assertThat(problems(unknown, 404, Map.of("content-type", List.of("text/plain")), "nope").problems()).isNotEmpty();

        String line = "{\"producer\":\"p1\",\"location\":\"x\",\"data\":1,\"ip_address\":\"127.0.0.1\","
                + "\"time\":5,\"received_at\":5}";
        Call export = new Call("a made-up export", WORKER, worker, "GET", "/api/v1/producers/p1/history?format=ndjson",
                null, null, 200);
        Map<String, List<String>> ndjson = Map.of("content-type", List.of("application/x-ndjson"));
        assertThat(problems(export, 200, ndjson, line + "\n" + line + "\n").problems()).isEmpty();
        assertThat(problems(export, 200, ndjson, "").problems()).isEmpty();
        assertThat(problems(export, 200, ndjson, line + "\n{\"producer\":\"p1\"}\n").problems())
                .anyMatch(p -> p.startsWith("line 2: "));
        assertThat(problems(export, 200, ndjson, line + " " + line + "\n").problems())
                .anyMatch(p -> p.startsWith("line 1 is not one JSON value"));
        assertThat(problems(export, 200, ndjson, line).problems()).anyMatch(p -> p.contains("not ended"));
        Map<String, List<String>> csv = Map.of("content-type", List.of("text/csv; charset=utf-8"));
        assertThat(problems(export, 200, csv, "producer,time\r\n").problems()).isNotEmpty();
        assertThat(problems(export, 200, Map.of("content-type", List.of("application/geo+json")),
                "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null}]}")
                .problems()).isNotEmpty();

        Map<String, List<String>> json = Map.of("content-type", List.of("application/json"));
        String balancerList = "{\"producers\":[],\"next\":null,\"complete\":true,\"missing\":[]}";
        Call workerList = new Call("a made-up list", WORKER, worker, "GET", "/api/v1/producers", null, null, 200);
        Call balancerCall = new Call("a made-up list", BALANCER, balancer, "GET", "/api/v1/producers", null, null, 200);
        assertThat(problems(balancerCall, 200, json, balancerList).problems()).isEmpty();
        assertThat(problems(workerList, 200, json, balancerList).problems())
                .anyMatch(p -> p.contains("no oneOf branch the worker gives"));
        assertThat(problems(workerList, 200, json, "{\"producers\":[]}").problems()).isEmpty();
        Call erase = new Call("a made-up erasure", WORKER, worker, "DELETE", "/api/v1/producers/p1", null, null, 503);
        Map<String, List<String>> retry = Map.of("content-type", List.of("application/json"), "retry-after",
                List.of("5"));
        assertThat(problems(erase, 503, retry, "{\"producer\":\"p1\",\"erased\":{},\"total\":0,\"error\":"
                + "\"erasure incomplete\",\"unreachable\":[\"a:1\"]}").problems())
                .anyMatch(p -> p.contains("no oneOf branch the worker gives"));
        assertThat(problems(erase, 503, retry, "{\"error\":\"store unavailable\"}").problems()).isEmpty();
        Schema page = schemaAt("#/components/schemas/HistoryPage");
        assertThat(page.validate("{\"producer\":\"p\",\"heartbeats\":[],\"next\":null,\"complete\":true,"
                + "\"missing\":[\"w:1\"]}", InputFormat.JSON)).isNotEmpty();
        assertThat(page.validate("{\"producer\":\"p\",\"heartbeats\":[" + line + "],\"next\":null,\"complete\":"
                + "false,\"missing\":[\"w:1\"]}", InputFormat.JSON)).isEmpty();
        assertThat(schemaAt("#/components/schemas/StoredRecord").validate(line.replace("}", ",\"key\":1}"),
                InputFormat.JSON)).isNotEmpty();
        assertThat(schemaAt("#/components/schemas/HistoryRecord").validate(line.replace("}", ",\"key\":1}"),
                InputFormat.JSON)).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Checking one answer

    /** What an answer broke, and the operation it was checked against ({@code null}: a global answer). */
    record Checked(List<String> problems, String operation) {
    }

    /** Checks one answer against the document: status, headers, content type and body. */
    static Checked problems(Call call, int status, Map<String, List<String>> headers, String body) {
        List<String> problems = new ArrayList<>();
        String path = call.target().contains("?") ? call.target().substring(0, call.target().indexOf('?'))
                : call.target();
        String method = call.method().toLowerCase(Locale.ROOT);
        Optional<String> template = template(path);
        List<Operation> served = template.map(t -> operations().stream()
                .filter(op -> op.path().equals(t) && op.servers().contains(call.server())).toList()).orElse(List.of());
        Optional<Operation> op = served.stream().filter(o -> o.method().equals(method)).findFirst();
        JsonNode response;
        String against;
        if (served.isEmpty() || op.isEmpty()) {
            String global = served.isEmpty() ? "NoSuchEndpoint" : "MethodNotAllowed";
            int globalStatus = served.isEmpty() ? 404 : 405;
            against = "#/components/responses/" + global;
            if (status != globalStatus) {
                problems.add("the " + call.server() + " serves no " + call.method() + " " + path + ", so the answer is "
                        + global + " " + globalStatus);
            }
            response = resolve(doc.at(against.substring(1)));
        } else {
            against = op.get().toString();
            JsonNode documented = op.get().node().path("responses").get(Integer.toString(status));
            if (documented == null) {
                problems.add("status " + status + " is not documented for " + against + " (documented: "
                        + texts(fieldNames(op.get().node().path("responses"))) + ")");
                return new Checked(problems, null);
            }
            response = resolve(documented);
            Set<String> only = texts(response.path("x-tophat-server"));
            if (!only.isEmpty() && !only.contains(call.server())) {
                problems.add("status " + status + " of " + against + " is documented for the " + only + " only");
            }
            boolean json = call.contentType() == null || call.contentType().startsWith("application/json");
            if (status / 100 == 2 && json && call.body() != null && !call.body().isEmpty()) {
                JsonNode requestBody = resolve(op.get().node().path("requestBody"));
                JsonNode schema = requestBody.path("content").path("application/json").path("schema");
                if (!schema.isMissingNode()) {
                    validate(schema, call.body()).forEach(e -> problems.add("request body: " + e));
                }
            }
        }
        response.path("headers").fields().forEachRemaining(h -> {
            JsonNode header = resolve(h.getValue());
            String value = first(headers, h.getKey());
            if (value == null) {
                if (header.path("required").asBoolean(false)) {
                    problems.add("header " + h.getKey() + " is missing");
                }
            } else if (header.has("schema")) {
                validate(header.path("schema"), headerValue(value)).forEach(e -> problems.add("header " + h.getKey()
                        + ": " + e));
            }
        });
        JsonNode content = response.path("content");
        String contentType = Optional.ofNullable(first(headers, "content-type")).orElse("");
        if (content.isMissingNode() || content.isEmpty()) {
            if (!body.isEmpty()) {
                problems.add("a body where " + against + " " + status + " documents none");
            }
        } else {
            String media = contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
            JsonNode documented = null;
            for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().split(";")[0].trim().equalsIgnoreCase(media)) {
                    documented = e.getValue();
                }
            }
            if (documented == null) {
                problems.add("Content-Type '" + contentType + "' is not among " + texts(fieldNames(content)));
            } else {
                if (documented.has(LINE_SCHEMA)) {
                    problems.addAll(lineProblems(documented.path(LINE_SCHEMA), body));
                }
                if (documented.has("schema")) {
                    String instance;
                    if (media.equals("application/json") || media.endsWith("+json")) {
                        instance = body;
                        try {
                            STRICT.readTree(body);
                        } catch (JsonProcessingException e) {
                            problems.add("the body is not JSON: " + e.getOriginalMessage());
                            instance = null;
                        }
                    } else {
                        instance = json(TextNode.valueOf(body));
                    }
                    if (instance != null) {
                        validate(documented.path("schema"), instance).forEach(e -> problems.add("body: " + e));
                        problems.addAll(branchProblems(documented.path("schema"), call.server(), instance));
                    }
                }
            }
        }
        return new Checked(problems, op.map(Operation::toString).orElse(null));
    }

    /** One JSON value, nothing after it. */
    private static final com.fasterxml.jackson.databind.ObjectReader STRICT = JSON.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A body of JSON lines ({@link #LINE_SCHEMA}): each line ended by {@code \n}, one JSON value valid against it. */
    static List<String> lineProblems(JsonNode lineSchema, String body) {
        List<String> problems = new ArrayList<>();
        if (!body.isEmpty() && !body.endsWith("\n")) {
            problems.add("the last line is not ended by \\n");
        }
        String[] lines = body.isEmpty() ? new String[0] : body.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i == lines.length - 1 && lines[i].isEmpty()) {
                break;
            }
            try {
                STRICT.readTree(lines[i]);
            } catch (JsonProcessingException e) {
                problems.add("line " + (i + 1) + " is not one JSON value: " + e.getOriginalMessage());
                continue;
            }
            int line = i + 1;
            validate(lineSchema, lines[i]).forEach(e -> problems.add("line " + line + ": " + e));
        }
        return problems;
    }

    /**
     * A {@code oneOf} whose branches say which server gives them ({@code x-tophat-server}): the body must be valid
     * against a branch of {@code server} (or one without a mark), not only against a branch of the other server.
     */
    static List<String> branchProblems(JsonNode schema, String server, String instance) {
        JsonNode oneOf = resolve(schema).path("oneOf");
        if (!oneOf.isArray()) {
            return List.of();
        }
        boolean marked = false;
        List<JsonNode> mine = new ArrayList<>();
        for (JsonNode branch : oneOf) {
            Set<String> servers = texts(branch.path("x-tophat-server"));
            marked |= !servers.isEmpty();
            if (servers.isEmpty() || servers.contains(server)) {
                mine.add(branch);
            }
        }
        if (!marked || mine.stream().anyMatch(b -> validate(b, instance).isEmpty())) {
            return List.of();
        }
        return List.of("body: valid against no oneOf branch the " + server + " gives ("
                + mine.stream().map(b -> b.path("$ref").asText("an inline schema")).toList() + ")");
    }

    /** The described path whose template matches {@code path}; the one with the fewest parameters if several. */
    static Optional<String> template(String path) {
        String best = null;
        int bestParams = Integer.MAX_VALUE;
        for (Iterator<String> it = doc.path("paths").fieldNames(); it.hasNext(); ) {
            String t = it.next();
            StringBuilder regex = new StringBuilder();
            Matcher m = TEMPLATE_PARAM.matcher(t);
            int last = 0;
            int params = 0;
            while (m.find()) {
                regex.append(Pattern.quote(t.substring(last, m.start()))).append("[^/]+");
                last = m.end();
                params++;
            }
            regex.append(Pattern.quote(t.substring(last)));
            if (path.matches(regex.toString()) && params < bestParams) {
                best = t;
                bestParams = params;
            }
        }
        return Optional.ofNullable(best);
    }

    /** A header value as a JSON instance: a number when it reads as one, else a string. */
    private static String headerValue(String value) {
        try {
            JsonNode n = JSON.readTree(value);
            if (n != null && n.isNumber()) {
                return json(n);
            }
        } catch (JsonProcessingException notJson) {
            // a string
        }
        return json(TextNode.valueOf(value));
    }

    private static String first(Map<String, List<String>> headers, String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    private static HttpResponse<String> send(Call call) {
        String uri = call.base() + call.target();
        if (call.accept() != null) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri)).header("Accept", call.accept())
                    .timeout(Duration.ofSeconds(10)).method(call.method(), call.body() == null
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(call.body()));
            try {
                return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (call.method().equals("GET") && call.body() == null) {
            return Http.get(uri);
        }
        if (call.contentType() != null && !call.contentType().equals("application/json")) {
            return Http.post(uri, call.contentType(), call.body().getBytes(StandardCharsets.UTF_8));
        }
        return Http.send(call.method(), uri, call.body());
    }

    private static String abbreviate(String body) {
        String oneLine = body.replace('\n', ' ');
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }

    // ---------------------------------------------------------------------------------------------------------
    // The document as data

    /** One operation: its path, its method (lower case), its object, and the servers that serve it. */
    record Operation(String path, String method, JsonNode node) {
        Set<String> servers() {
            return texts(node.path("x-tophat-server"));
        }

        @Override
        public String toString() {
            return method.toUpperCase(Locale.ROOT) + " " + path;
        }
    }

    static List<Operation> operations() {
        List<Operation> ops = new ArrayList<>();
        doc.path("paths").fields().forEachRemaining(item -> item.getValue().fields().forEachRemaining(e -> {
            if (METHODS.contains(e.getKey())) {
                ops.add(new Operation(item.getKey(), e.getKey(), e.getValue()));
            }
        }));
        return ops;
    }

    static Optional<Operation> operation(String path, String method) {
        return operations().stream().filter(op -> op.path().equals(path) && op.method().equals(method)).findFirst();
    }

    /** Follows a local {@code $ref} (of a response, header, parameter or request body) to what it names. */
    static JsonNode resolve(JsonNode node) {
        JsonNode n = node;
        for (int hops = 0; n != null && n.has("$ref") && hops < 10; hops++) {
            String ref = n.path("$ref").asText();
            assertThat(ref).as("a $ref into this document").startsWith("#/");
            n = doc.at(ref.substring(1));
        }
        return n == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : n;
    }

    /**
     * Every {@code x-tophat-server} inside an operation (on a parameter, a response, a {@code oneOf} branch of a
     * schema written in the operation), with where it stands; {@code $ref}s are followed one level for responses
     * and parameters, so that shared components are checked where they are used.
     */
    private static void marks(JsonNode node, String at, java.util.function.BiConsumer<String, Set<String>> each) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("x-tophat-server") && !at.isEmpty()) {
                    each.accept(at, texts(e.getValue()));
                } else if (!e.getKey().equals("x-tophat-server")) {
                    marks(e.getValue(), at + "/" + e.getKey(), each);
                }
            });
            if (node.has("$ref") && node.path("$ref").asText().matches("#/components/(responses|parameters)/.*")) {
                marks(resolve(node), at + " (" + node.path("$ref").asText() + ")", each);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                marks(node.get(i), at + "/" + i, each);
            }
        }
    }

    /** Every {@code $ref} in the document must name something in it. */
    private static void refs(JsonNode node, String at, List<String> problems) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref") && e.getValue().isTextual()) {
                    String ref = e.getValue().asText();
                    if (!ref.startsWith("#/") || doc.at(ref.substring(1)).isMissingNode()) {
                        problems.add(at + ": $ref " + ref + " names nothing in the document");
                    }
                } else {
                    refs(e.getValue(), at + "/" + e.getKey(), problems);
                }
            });
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                refs(node.get(i), at + "/" + i, problems);
            }
        }
    }

    /** The errors of {@code instance} (JSON text) against a schema of the document. */
    static List<String> validate(JsonNode schema, String instance) {
        return schemaOf(schema).validate(instance, InputFormat.JSON).stream().map(Object::toString).toList();
    }

    static Schema schemaAt(String ref) {
        return schemaOf(doc.at(ref.substring(1)));
    }

    /**
     * A schema of the document as the validator's: a copy whose local {@code $ref}s are made absolute into the
     * document registered as {@link #DOC_IRI}, so that they resolve wherever the schema stood.
     */
    static synchronized Schema schemaOf(JsonNode schema) {
        assertThat(schema.isMissingNode()).as("a schema").isFalse();
        JsonNode copy = absoluteRefs(schema.deepCopy());
        return schemas.computeIfAbsent(json(copy), text -> registry.getSchema(text, InputFormat.JSON));
    }

    private static JsonNode absoluteRefs(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode ref = object.get("$ref");
            if (ref != null && ref.isTextual() && ref.asText().startsWith("#")) {
                object.put("$ref", DOC_IRI + ref.asText());
            }
            object.fields().forEachRemaining(e -> absoluteRefs(e.getValue()));
        } else if (node != null && node.isArray()) {
            node.forEach(OpenApiTest::absoluteRefs);
        }
        return node;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> out = new LinkedHashSet<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static JsonNode fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return JSON.valueToTree(names);
    }

    private static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
