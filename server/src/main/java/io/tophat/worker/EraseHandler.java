package io.tophat.worker;

import io.tophat.http.ApiException;
import io.tophat.http.Responses;
import io.tophat.protocol.ProducerId;
import io.tophat.store.HeartbeatStore;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code DELETE /api/v1/producers/{id}} on a worker: erases the producer from its store (history, latest,
 * inbox) and its caches, and says how many heartbeats went. The balancer calls it on every store that ever held
 * the producer; called directly it erases this worker's part only.
 */
final class EraseHandler {
    private static final Logger LOG = LoggerFactory.getLogger(EraseHandler.class);

    private final HeartbeatStore store;
    private final WorkerExecutor storeWork;
    private final LatestCache latest;
    private final LatestCache byLabel;
    private final io.tophat.geo.NearIndex near;

    EraseHandler(HeartbeatStore store, WorkerExecutor storeWork, LatestCache latest, LatestCache byLabel,
                 io.tophat.geo.NearIndex near) {
        this.near = near;
        this.store = store;
        this.storeWork = storeWork;
        this.latest = latest;
        this.byLabel = byLabel;
    }

    void erase(RoutingContext rc) {
        String id = rc.pathParam("id");
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid producer id", problem);
        }
        storeWork.<Long>executeBlocking(() -> {
            long erased = store.erase(id);
            latest.remove(id);
            near.remove(id);
            byLabel.clear(); // label entries do not name their producer; the store refills them
            return erased;
        }, false).recover(e -> Future.failedFuture(WorkerErrors.storeUnavailable(e))).onSuccess(erased -> {
            LOG.info("erased producer {}: {} heartbeats", id, erased);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("producer", id);
            body.put("store", store.identity());
            body.put("erased", erased);
            Responses.json(rc.response(), 200, body);
        }).onFailure(rc::fail);
    }
}
