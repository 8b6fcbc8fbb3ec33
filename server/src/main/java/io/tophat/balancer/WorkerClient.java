package io.tophat.balancer;

import io.tophat.history.HistoryCursor;
import io.tophat.history.HistoryRequest;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HistoryPageJson;
import io.tophat.store.HistoryQuery;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The balancer's calls to workers on a consumer's behalf: a page of one store's history (with each heartbeat's
 * key, for merging), erasing a producer, and listing producers. Every call has a {@value #TIMEOUT_MS} ms timeout
 * and fails, never hangs, when the worker does not answer 200.
 */
final class WorkerClient {
    static final long TIMEOUT_MS = 5000;

    /** One heartbeat of a store, where it sits in the cross-store order: (time, seq, store, key). */
    record Row(Heartbeat heartbeat, long key, String store) {
        long seq() {
            return heartbeat.seq() == null ? HistoryQuery.Position.NO_SEQ : heartbeat.seq();
        }

        HistoryCursor cursor() {
            return new HistoryCursor(heartbeat.time(), seq(), key, store);
        }

        /** The same heartbeat as {@code o}, stored in two stores (a retry after a failover). */
        boolean copyOf(Row o) {
            return heartbeat.seq() != null && o.heartbeat.seq() != null && heartbeat.seq().equals(o.heartbeat.seq())
                    && heartbeat.time() == o.heartbeat.time();
        }
    }

    /** A page of one store's history; {@code more} when the store has heartbeats after it. */
    record Page(List<Row> rows, boolean more) {
    }

    /** A producer as a worker's store knows it: its id and the time of its latest heartbeat. */
    record Seen(String producer, long time) {
    }

    /** A producer near a point, as a worker's index has it. */
    record NearItem(String producer, double distanceM, double lat, double lon, long time) {
    }

    private final HttpClient http;

    private final String clusterAuthorization;

    /**
     * {@code clusterAuthorization}: the header of the balancer's own calls (null in an open deployment); {@code
     * tls}: which certificate authorities its HTTPS calls trust.
     */
    WorkerClient(Vertx vertx, String clusterAuthorization, io.tophat.http.TlsConfig tls) {
        this.clusterAuthorization = clusterAuthorization;
        this.http = vertx.createHttpClient(tls.client(new HttpClientOptions().setConnectTimeout((int) TIMEOUT_MS)
                .setKeepAlive(true)));
    }

    Future<Page> history(String workerUrl, String store, HistoryRequest req, HistoryCursor after, int limit) {
        StringBuilder path = new StringBuilder("/api/v1/producers/").append(encode(req.producer()))
                .append("/history?keys=true&limit=").append(limit)
                .append("&order=").append(req.descending() ? "desc" : "asc");
        if (req.from() != Long.MIN_VALUE) {
            path.append("&from=").append(req.from());
        }
        if (req.to() != Long.MAX_VALUE) {
            path.append("&to=").append(req.to());
        }
        if (after != null) {
            path.append("&cursor=").append(after.encode());
        }
        return call(HttpMethod.GET, workerUrl, path.toString(), clusterAuthorization).map(body -> parsePage(body, store));
    }

    Future<Long> erase(String workerUrl, String producer) {
        return call(HttpMethod.DELETE, workerUrl, "/api/v1/producers/" + encode(producer), clusterAuthorization).map(body -> {
            try {
                Map<?, ?> answer = Responses.MAPPER.readValue(body.getBytes(), Map.class);
                return ((Number) answer.get("erased")).longValue();
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("the worker's erase answer is not understood: " + e.getMessage(), e);
            }
        });
    }

    Future<List<Seen>> producers(String workerUrl, String after, long seenSince, int limit) {
        String path = "/api/v1/producers?limit=" + limit + "&seen_since=" + seenSince
                + (after == null ? "" : "&after=" + encode(after));
        return call(HttpMethod.GET, workerUrl, path, clusterAuthorization).map(body -> {
            try {
                Map<?, ?> answer = Responses.MAPPER.readValue(body.getBytes(), Map.class);
                List<Seen> seen = new ArrayList<>();
                for (Object o : (List<?>) answer.get("producers")) {
                    Map<?, ?> p = (Map<?, ?>) o;
                    seen.add(new Seen((String) p.get("id"), ((Number) p.get("last_seen")).longValue()));
                }
                return seen;
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("the worker's producer list is not understood: " + e.getMessage(), e);
            }
        });
    }

    Future<List<NearItem>> near(String workerUrl, io.tophat.geo.NearQuery query, String authorization) {
        return call(HttpMethod.GET, workerUrl, "/api/v1/near?" + query.parameters(), authorization).map(body -> {
            try {
                Map<?, ?> answer = Responses.MAPPER.readValue(body.getBytes(), Map.class);
                List<NearItem> items = new ArrayList<>();
                for (Object o : (List<?>) answer.get("items")) {
                    Map<?, ?> item = (Map<?, ?>) o;
                    Map<?, ?> at = (Map<?, ?>) item.get("location");
                    items.add(new NearItem((String) item.get("producer"), ((Number) item.get("distance_m")).doubleValue(),
                            ((Number) at.get("lat")).doubleValue(), ((Number) at.get("lon")).doubleValue(),
                            ((Number) item.get("time")).longValue()));
                }
                return items;
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException("the worker's near answer is not understood: " + e.getMessage(), e);
            }
        });
    }

    /**
     * A call with {@code authorization} (the consumer's own credential when the call is on a consumer's behalf,
     * so that the worker applies its key's scope; the cluster secret otherwise; null in an open deployment).
     */
    private Future<Buffer> call(HttpMethod method, String workerUrl, String path, String authorization) {
        RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(workerUrl + path)
                .setTimeout(TIMEOUT_MS);
        if (authorization != null) {
            options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
        }
        return http.request(options).compose(req -> req.send()).compose(resp -> resp.body().compose(body ->
                resp.statusCode() == 200 ? Future.succeededFuture(body)
                        : Future.failedFuture(new IllegalStateException(workerUrl + " answered " + resp.statusCode()
                        + " " + body.toString(StandardCharsets.UTF_8)))));
    }

    private static Page parsePage(Buffer body, String store) {
        HistoryPageJson.Page page = HistoryPageJson.read(body.getBytes());
        List<Row> rows = new ArrayList<>(page.heartbeats().size());
        for (int i = 0; i < page.heartbeats().size(); i++) {
            rows.add(new Row(page.heartbeats().get(i), page.keys()[i], store));
        }
        return new Page(rows, page.next() != null);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    void close() {
        http.close();
    }
}
