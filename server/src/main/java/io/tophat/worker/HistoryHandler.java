package io.tophat.worker;

import io.tophat.history.HistoryCursor;
import io.tophat.history.HistoryPage;
import io.tophat.history.HistoryRequest;
import io.tophat.history.HistoryWriter;
import io.tophat.http.Backpressure;
import io.tophat.http.Responses;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.ProducerId;
import io.tophat.http.ApiException;
import io.tophat.store.HeartbeatStore;
import io.tophat.store.HistoryQuery;
import io.tophat.store.StoredHeartbeat;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /api/v1/producers/{id}/history} on a worker: its own store's part of a producer's history, by time.
 * A JSON page (with a cursor to the next), or the whole range streamed as NDJSON, CSV or GeoJSON: read
 * {@value #EXPORT_PAGE} heartbeats at a time on a store thread, each page written before the next is read, and
 * the next read only once the connection has taken the last (constant memory, whatever the range).
 */
final class HistoryHandler {
    static final int EXPORT_PAGE = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(HistoryHandler.class);

    private final HeartbeatStore store;
    private final WorkerExecutor storeReads;

    HistoryHandler(HeartbeatStore store, WorkerExecutor storeReads) {
        this.store = store;
        this.storeReads = storeReads;
    }

    void history(RoutingContext rc) {
        String id = rc.pathParam("id");
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid producer id", problem);
        }
        HistoryRequest req = HistoryRequest.parse(id, rc.queryParams(), rc.request().getHeader(HttpHeaders.ACCEPT));
        HistoryQuery.Position after = req.cursor() == null ? null : req.cursor().positionIn(store.identity(),
                req.descending());
        if (req.format().streamed()) {
            export(rc.response(), req, new HistoryQuery(id, req.from(), req.to(), req.descending(), after, EXPORT_PAGE));
            return;
        }
        boolean keys = "true".equals(rc.queryParams().get("keys"));
        HistoryQuery query = new HistoryQuery(id, req.from(), req.to(), req.descending(), after, req.limit());
        read(query).onSuccess(page -> {
            List<Heartbeat> heartbeats = new ArrayList<>(page.size());
            long[] positions = keys ? new long[page.size()] : null;
            for (int i = 0; i < page.size(); i++) {
                heartbeats.add(page.get(i).heartbeat());
                if (keys) {
                    positions[i] = page.get(i).position().key();
                }
            }
            String next = page.size() < req.limit() ? null : cursor(page.get(page.size() - 1));
            Responses.json(rc.response(), 200, HistoryPage.json(id, heartbeats, positions, next, true, List.of()));
        }).onFailure(rc::fail);
    }

    private String cursor(StoredHeartbeat last) {
        return new HistoryCursor(last.position().time(), last.position().seq(), last.position().key(),
                store.identity()).encode();
    }

    private Future<List<StoredHeartbeat>> read(HistoryQuery query) {
        return storeReads.<List<StoredHeartbeat>>executeBlocking(() -> store.history(query), false)
                .recover(e -> Future.failedFuture(WorkerErrors.storeUnavailable(e)));
    }

    private void export(HttpServerResponse response, HistoryRequest req, HistoryQuery first) {
        HistoryWriter writer = HistoryWriter.of(req.format(), req.producer());
        read(first).onSuccess(page -> {
            response.setStatusCode(200).setChunked(true)
                    .putHeader(HttpHeaders.CONTENT_TYPE, req.format().contentType());
            response.write(writer.begin());
            continueExport(response, writer, first, page);
        }).onFailure(e -> io.tophat.http.ErrorResponder.send(response, e instanceof ApiException a ? a
                : WorkerErrors.storeUnavailable(e)));
    }

    private void continueExport(HttpServerResponse response, HistoryWriter writer, HistoryQuery query,
                                List<StoredHeartbeat> page) {
        List<Heartbeat> rows = new ArrayList<>(page.size());
        for (StoredHeartbeat s : page) {
            rows.add(s.heartbeat());
        }
        response.write(writer.rows(rows));
        if (page.size() < query.limit()) {
            response.end(writer.end());
            return;
        }
        HistoryQuery next = query.continuing(page.get(page.size() - 1).position());
        Backpressure.whenWritable(response).compose(v -> read(next)).onSuccess(more -> continueExport(response, writer, next, more))
                .onFailure(e -> {
                    // the status is sent: a broken connection is the only way to say the export is not whole
                    LOG.warn("history export of {} stopped: {}", query.producer(), e.getMessage());
                    response.reset();
                });
    }
}
