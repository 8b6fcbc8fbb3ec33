package io.tophat.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A worker that stores heartbeats in memory: answers {@code POST /heartbeat} 200 (or the scripted answers
 * queued with {@link #answerNext}), and serves {@code /get_data/{id}} and {@code /api/v1/producers/{id}}.
 */
final class FakeWorker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, String retryAfter, String body) {
    }

    /** One POST /heartbeat as received: its parsed body, when it arrived, and the status it was given. */
    record Received(JsonNode body, long atNanos, int status) {
    }

    private final HttpServer server = FakeHttp.start();
    private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, String> latestData = new ConcurrentHashMap<>();
    private final Map<String, String> latestRecord = new ConcurrentHashMap<>();

    FakeWorker() {
        server.createContext("/heartbeat", this::heartbeat);
        server.createContext("/get_data/", this::getData);
        server.createContext("/api/v1/producers/", this::getRecord);
    }

    URI uri() {
        return FakeHttp.baseOf(server);
    }

    void answerNext(int status, String retryAfter, String body) {
        script.add(new Answer(status, retryAfter, body));
    }

    void holdData(String producer, String dataJson) {
        latestData.put(producer, dataJson);
    }

    void holdRecord(String producer, String recordJson) {
        latestRecord.put(producer, recordJson);
    }

    List<Received> received() {
        return received;
    }

    /** The seq of every heartbeat this worker stored (answered 2xx), in arrival order. */
    List<Long> storedSeqs() {
        List<Long> seqs = new ArrayList<>();
        for (Received r : received) {
            if (r.status() == 200) {
                seqs.add(r.body().get("seq").asLong());
            }
        }
        return seqs;
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void heartbeat(HttpExchange exchange) throws IOException {
        JsonNode body = JSON.readTree(exchange.getRequestBody());
        Answer answer = script.poll();
        int status = answer == null ? 200 : answer.status();
        received.add(new Received(body, System.nanoTime(), status));
        if (answer == null) {
            FakeHttp.respond(exchange, 200, "application/json", "{\"stored\":true}");
            return;
        }
        if (answer.retryAfter() != null) {
            exchange.getResponseHeaders().set("Retry-After", answer.retryAfter());
        }
        FakeHttp.respond(exchange, answer.status(), "application/json", answer.body());
    }

    private void getData(HttpExchange exchange) throws IOException {
        String data = latestData.get(FakeHttp.lastSegment(exchange));
        if (data == null) {
            FakeHttp.respond(exchange, 400, "text/plain", "No data for this producer");
        } else {
            FakeHttp.respond(exchange, 200, "application/json", data);
        }
    }

    private void getRecord(HttpExchange exchange) throws IOException {
        String record = latestRecord.get(FakeHttp.lastSegment(exchange));
        if (record == null) {
            FakeHttp.respond(exchange, 404, "application/json", "{\"error\":\"not found\",\"detail\":\"no heartbeat from this producer\"}");
        } else {
            FakeHttp.respond(exchange, 200, "application/json", record);
        }
    }
}
