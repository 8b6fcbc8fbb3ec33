package io.tophat.balancer;

import io.tophat.history.HistoryCursor;
import io.tophat.history.HistoryPage;
import io.tophat.history.HistoryRequest;
import io.tophat.history.HistoryWriter;
import io.tophat.http.ApiException;
import io.tophat.http.Backpressure;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A producer's whole history through the balancer, from every store that ever held it. When that is one store a
 * live worker reads, the consumer is redirected there (307); otherwise the balancer reads every store in parallel
 * and merges them by (time, store, key): a JSON page with a cursor, or the whole range streamed. A store no live
 * worker can read makes the answer {@code "complete": false} and names it in {@code missing} (for streamed
 * formats, in the {@code TopHat-Missing} header), never a silent gap and never a 5xx.
 */
final class HistoryHandlers {
    static final String MISSING_HEADER = "TopHat-Missing";
    private static final int EXPORT_PAGE = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(HistoryHandlers.class);

    private final Balancer balancer;
    private final WorkerClient workers;

    HistoryHandlers(Balancer balancer, WorkerClient workers) {
        this.balancer = balancer;
        this.workers = workers;
    }

    /** A store that some live worker reads. */
    private record Source(String store, String url) {
    }

    void history(RoutingContext rc) {
        String id = Requests.producerId(rc);
        HistoryRequest req = HistoryRequest.parse(id, rc.queryParams(), rc.request().getHeader(HttpHeaders.ACCEPT));
        Set<String> stores = balancer.storesOf(id);
        if (stores.isEmpty()) {
            throw ApiException.notFound("unknown producer", "no producer " + id + " has registered");
        }
        List<Source> sources = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String store : new TreeSet<>(stores)) {
            Member reader = balancer.readerOf(store, id);
            if (reader == null) {
                missing.add(balancer.nameOf(store));
            } else {
                sources.add(new Source(store, reader.url()));
            }
        }
        if (sources.size() == 1 && missing.isEmpty()) {
            String query = rc.request().query();
            Responses.redirect(rc.response(), 307, sources.get(0).url() + rc.request().path()
                    + (query == null ? "" : "?" + query));
        } else if (req.format().streamed()) {
            new Export(rc.response(), req, sources, missing).start();
        } else {
            page(rc, req, sources, missing);
        }
    }

    private static Comparator<WorkerClient.Row> order(boolean descending) {
        Comparator<WorkerClient.Row> ascending = Comparator.comparingLong((WorkerClient.Row r) -> r.heartbeat().time())
                .thenComparingLong(WorkerClient.Row::seq).thenComparing(WorkerClient.Row::store)
                .thenComparingLong(WorkerClient.Row::key);
        return descending ? ascending.reversed() : ascending;
    }

    private void page(RoutingContext rc, HistoryRequest req, List<Source> sources, List<String> missing) {
        List<Future<WorkerClient.Page>> pages = new ArrayList<>();
        for (Source s : sources) {
            pages.add(workers.history(s.url(), s.store(), req, req.cursor(), req.limit()));
        }
        Future.join(pages).onComplete(done -> {
            List<WorkerClient.Row> rows = new ArrayList<>();
            boolean more = false;
            for (int i = 0; i < pages.size(); i++) {
                Future<WorkerClient.Page> f = pages.get(i);
                if (f.succeeded()) {
                    rows.addAll(f.result().rows());
                    more |= f.result().more();
                } else {
                    LOG.debug("history of {}: store {} not read: {}", req.producer(), sources.get(i).store(),
                            f.cause().getMessage());
                    missing.add(balancer.nameOf(sources.get(i).store()));
                }
            }
            rows.sort(order(req.descending()));
            rows = withoutCopies(rows);
            more |= rows.size() > req.limit();
            List<WorkerClient.Row> taken = rows.subList(0, Math.min(rows.size(), req.limit()));
            List<Heartbeat> heartbeats = new ArrayList<>(taken.size());
            taken.forEach(r -> heartbeats.add(r.heartbeat()));
            String next = more && !taken.isEmpty() ? taken.get(taken.size() - 1).cursor().encode() : null;
            Responses.json(rc.response(), 200, HistoryPage.json(req.producer(), heartbeats, null, next,
                    missing.isEmpty(), missing));
        });
    }

    /** The rows in order with each heartbeat stored twice kept once (the first, in this order). */
    private static List<WorkerClient.Row> withoutCopies(List<WorkerClient.Row> ordered) {
        List<WorkerClient.Row> kept = new ArrayList<>(ordered.size());
        for (WorkerClient.Row r : ordered) {
            if (kept.isEmpty() || !r.copyOf(kept.get(kept.size() - 1))) {
                kept.add(r);
            }
        }
        return kept;
    }

    /** A streamed merge: one buffer of rows per store, refilled a page at a time, written in the answer's order. */
    private final class Export {
        private final HttpServerResponse response;
        private final HistoryRequest req;
        private final HistoryWriter writer;
        private final List<Source> sources;
        private final List<String> missing;
        private final Map<Source, Deque<WorkerClient.Row>> buffers = new LinkedHashMap<>();
        private final Map<Source, Boolean> more = new LinkedHashMap<>();
        private final Map<Source, HistoryCursor> last = new LinkedHashMap<>();
        private final Comparator<WorkerClient.Row> order;
        private WorkerClient.Row previous;
        private boolean started;

        Export(HttpServerResponse response, HistoryRequest req, List<Source> sources, List<String> missing) {
            this.response = response;
            this.req = req;
            this.writer = HistoryWriter.of(req.format(), req.producer());
            this.sources = new ArrayList<>(sources);
            this.missing = missing;
            this.order = order(req.descending());
            for (Source s : sources) {
                buffers.put(s, new ArrayDeque<>());
                more.put(s, true);
                last.put(s, req.cursor());
            }
        }

        void start() {
            refill().onComplete(v -> step());
        }

        /** Fetches the next page of every store whose buffer is empty and that has more. */
        private Future<Void> refill() {
            List<Future<?>> fetches = new ArrayList<>();
            for (Source s : List.copyOf(sources)) {
                if (buffers.get(s).isEmpty() && more.get(s)) {
                    fetches.add(workers.history(s.url(), s.store(), req, last.get(s), EXPORT_PAGE).onSuccess(page -> {
                        buffers.get(s).addAll(page.rows());
                        more.put(s, page.more() && !page.rows().isEmpty());
                    }).onFailure(e -> failed(s, e)));
                }
            }
            return Future.join(fetches).otherwiseEmpty().mapEmpty();
        }

        private void failed(Source s, Throwable e) {
            if (!started) {
                missing.add(balancer.nameOf(s.store()));
                sources.remove(s);
                buffers.remove(s);
                more.remove(s);
            } else {
                more.put(s, false);
                buffers.get(s).clear();
                LOG.warn("history export of {} stopped: store {} failed: {}", req.producer(), s.store(), e.getMessage());
                response.reset();
            }
        }

        private void step() {
            if (!started) {
                started = true;
                response.setStatusCode(200).setChunked(true).putHeader(HttpHeaders.CONTENT_TYPE, req.format().contentType());
                if (!missing.isEmpty()) {
                    response.putHeader(MISSING_HEADER, String.join(",", missing));
                }
                response.write(writer.begin());
            }
            if (response.closed()) {
                return;
            }
            List<Heartbeat> out = new ArrayList<>(EXPORT_PAGE);
            while (out.size() < EXPORT_PAGE) {
                Source next = null;
                boolean waiting = false;
                for (Source s : sources) {
                    Deque<WorkerClient.Row> b = buffers.get(s);
                    if (b.isEmpty()) {
                        waiting |= more.get(s);
                    } else if (next == null || order.compare(b.peekFirst(), buffers.get(next).peekFirst()) < 0) {
                        next = s;
                    }
                }
                if (waiting || next == null) {
                    break;
                }
                WorkerClient.Row row = buffers.get(next).pollFirst();
                last.put(next, row.cursor());
                if (previous == null || !row.copyOf(previous)) {
                    out.add(row.heartbeat());
                    previous = row;
                }
            }
            response.write(writer.rows(out));
            boolean done = sources.stream().allMatch(s -> buffers.get(s).isEmpty() && !more.get(s));
            if (done) {
                response.end(writer.end());
                return;
            }
            Backpressure.whenWritable(response).compose(v -> refill()).onSuccess(v -> step());
        }
    }

    /**
     * {@code DELETE /api/v1/producers/{id}[?forget_unreachable=true]}: erases the producer from every store that held
     * it, then forgets it. A store no live worker reads makes it a 503 (what was erased elsewhere stays erased),
     * unless the operator says such stores are gone for good: then they are listed as {@code abandoned}.
     */
    void erase(RoutingContext rc) {
        String id = Requests.producerId(rc);
        boolean forgetUnreachable = "true".equals(rc.queryParams().get("forget_unreachable"));
        Set<String> stores = balancer.storesOf(id);
        if (stores.isEmpty() && balancer.assignments().get(id) == null) {
            throw ApiException.notFound("unknown producer", "no producer " + id + " has registered");
        }
        Map<String, Future<Long>> calls = new LinkedHashMap<>();
        List<String> unreachable = new ArrayList<>();
        for (String store : new TreeSet<>(stores)) {
            Member reader = balancer.readerOf(store, id);
            if (reader == null) {
                unreachable.add(balancer.nameOf(store));
            } else {
                calls.put(store, workers.erase(reader.url(), id));
            }
        }
        Future.join(new ArrayList<>(calls.values())).onComplete(done -> {
            Map<String, Long> erased = new LinkedHashMap<>();
            calls.forEach((store, f) -> {
                if (f.succeeded()) {
                    erased.put(store, f.result());
                } else {
                    unreachable.add(balancer.nameOf(store));
                }
            });
            long total = erased.values().stream().mapToLong(Long::longValue).sum();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("producer", id);
            body.put("erased", erased);
            body.put("total", total);
            if (!unreachable.isEmpty() && forgetUnreachable) {
                // the operator says these stores are gone for good: what they hold is not erased, and is said so
                body.put("abandoned", unreachable);
                LOG.warn("erasing producer {}: the stores of {} cannot be reached and are abandoned unerased, as asked",
                        id, unreachable);
            } else if (!unreachable.isEmpty()) {
                body.put("error", "erasure incomplete");
                body.put("detail", "the stores of " + String.join(", ", unreachable) + " cannot be reached; nothing "
                        + "is reported erased there; send the DELETE again once they are back, or with "
                        + "?forget_unreachable=true if they never will be");
                body.put("unreachable", unreachable);
                rc.response().putHeader(HttpHeaders.RETRY_AFTER, "5");
                Responses.json(rc.response(), 503, body);
                return;
            }
            balancer.forget(id).onSuccess(v -> {
                LOG.info("erased producer {} from {} stores: {} heartbeats", id, erased.size(), total);
                Responses.json(rc.response(), 200, body);
            }).onFailure(e -> rc.fail(BalancerErrors.toHttp(e, id, false)));
        });
    }

    /**
     * {@code GET /api/v1/producers?seen_since=&limit=&cursor=}: every producer the balancer assigned, by id, with its
     * worker and the time of its latest heartbeat as the live workers' stores tell it.
     */
    void producers(RoutingContext rc) {
        int limit = ProducerList.limit(rc.queryParams().get("limit"));
        long seenSince = ProducerList.seenSince(rc.queryParams().get("seen_since"));
        String after = ProducerList.after(rc.queryParams().get("cursor"));
        io.tophat.security.Caller caller = io.tophat.security.Access.caller(rc);
        new ProducerList(balancer, workers).page(after, seenSince, limit, caller::allows)
                .onSuccess(body -> Responses.json(rc.response(), 200, body))
                .onFailure(rc::fail);
    }
}
