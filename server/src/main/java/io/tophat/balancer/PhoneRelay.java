package io.tophat.balancer;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.tophat.http.ApiException;
import io.tophat.http.TlsConfig;
import io.tophat.phones.PhoneFix;
import io.tophat.phones.PhoneReport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Carries a phone app's positions to the producer's worker, on the app's behalf: it assigns the producer as a
 * registration would, posts the positions over a pool of keep-alive connections (one position as a heartbeat, which
 * the worker commits with others in a group; several as a batch, in one transaction of their own), and completes
 * only once the worker acknowledged them durably. A worker that is down, draining or no longer the producer's is
 * told to the balancer and the batch goes to the next one, as a producer would resend it.
 */
final class PhoneRelay implements AutoCloseable {
    /** Positions per batch: the worker's batch limit. */
    static final int BATCH = 1000;
    private static final int ATTEMPTS = 3;
    private static final int POOL = 64;

    private final Balancer balancer;
    private final HttpClient http;

    PhoneRelay(Vertx vertx, Balancer balancer, TlsConfig tls) {
        this.balancer = balancer;
        this.http = vertx.createHttpClient(tls.client(new HttpClientOptions()
                .setConnectTimeout((int) WorkerClient.TIMEOUT_MS).setKeepAlive(true)),
                new PoolOptions().setHttp1MaxSize(POOL));
    }

    /** What the worker answered. */
    private record Answer(String workerUrl, int status, String body, String retryAfter) {
    }

    /**
     * Stores {@code report}'s positions, presenting {@code authorization} (the producer's token as a Bearer header;
     * null in an open deployment) to the worker; fails with the {@link ApiException} the app should get.
     */
    Future<Void> deliver(PhoneReport report, String authorization) {
        List<PhoneFix> fixes = report.fixes();
        Future<Void> chain = Future.succeededFuture();
        if (fixes.size() == 1) {
            Buffer one = single(report.producer(), fixes.get(0));
            return send(report.producer(), one, false, authorization, null, ATTEMPTS);
        }
        for (int from = 0; from < fixes.size(); from += BATCH) {
            Buffer batch = batch(fixes.subList(from, Math.min(fixes.size(), from + BATCH)));
            chain = chain.compose(v -> send(report.producer(), batch, true, authorization, null, ATTEMPTS));
        }
        return chain;
    }

    private Future<Void> send(String producer, Buffer body, boolean batch, String authorization, String failed,
                              int attemptsLeft) {
        return assign(producer, failed)
                .compose(workerUrl -> post(workerUrl, batch ? "/api/v1/producers/" + URLEncoder.encode(producer,
                        StandardCharsets.UTF_8) + "/heartbeats" : "/api/v1/heartbeats", body, authorization)
                        .recover(e -> Future.succeededFuture(new Answer(workerUrl, 0, e.getClass().getSimpleName(), null))))
                .compose(answer -> {
                    int s = answer.status();
                    if (s == 200) {
                        return Future.succeededFuture();
                    }
                    boolean moveOn = s == 0 || s == 410 || s == 409;
                    if (moveOn && attemptsLeft > 1) {
                        return send(producer, body, batch, authorization, s == 409 ? null : answer.workerUrl(),
                                attemptsLeft - 1);
                    }
                    return Future.failedFuture(refusal(producer, answer));
                });
    }

    private Future<String> assign(String producer, String failed) {
        return balancer.lookUp(producer).compose(v -> {
            try {
                return balancer.assign(producer, failed);
            } catch (NoWorkersException e) {
                return Future.failedFuture(e);
            }
        }).map(a -> balancer.member(a.workerId()).url()).recover(e -> Future.failedFuture(BalancerErrors.toHttp(e,
                producer, false)));
    }

    private Future<Answer> post(String workerUrl, String path, Buffer body, String authorization) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
                .setAbsoluteURI(workerUrl + path)
                .setTimeout(WorkerClient.TIMEOUT_MS)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
        if (authorization != null) {
            options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
        }
        return http.request(options).compose(req -> req.send(body)).compose(resp -> resp.body().map(answer ->
                new Answer(workerUrl, resp.statusCode(), answer.toString(StandardCharsets.UTF_8),
                        resp.getHeader(HttpHeaders.RETRY_AFTER))));
    }

    /** The app's answer when the worker did not take the positions. */
    private static ApiException refusal(String producer, Answer answer) {
        int s = answer.status();
        String said = errorOf(answer.body());
        if (s == 400 || s == 422 || s == 413) {
            return new ApiException(s == 413 ? 413 : 400, "invalid position", said, 0);
        }
        if (s == 503) {
            int wait = answer.retryAfter() == null ? 1 : parse(answer.retryAfter());
            return ApiException.unavailable("worker unavailable", said + "; send the positions again later", wait);
        }
        return ApiException.unavailable("worker unavailable", "no worker took the positions of producer " + producer
                + " (" + (s == 0 ? "unreachable" : "answered " + s) + "); send them again later", 1);
    }

    private static String errorOf(String body) {
        try {
            com.fasterxml.jackson.databind.JsonNode error = io.tophat.http.Responses.MAPPER.readTree(body);
            String detail = error.path("detail").asText("");
            return error.path("error").asText("refused") + (detail.isEmpty() ? "" : ": " + detail);
        } catch (java.io.IOException | RuntimeException e) {
            return "refused";
        }
    }

    private static int parse(String seconds) {
        try {
            return Math.max(1, Integer.parseInt(seconds.strip()));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    /** One position as the heartbeat of {@code POST /api/v1/heartbeats}. */
    private static Buffer single(String producer, PhoneFix fix) {
        com.fasterxml.jackson.databind.node.ObjectNode heartbeat = JsonNodeFactory.instance.objectNode();
        heartbeat.put("id", producer);
        heartbeat.setAll(fix.heartbeat());
        return json(heartbeat);
    }

    private static Buffer batch(List<PhoneFix> fixes) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode(fixes.size());
        for (PhoneFix fix : fixes) {
            array.add(fix.heartbeat());
        }
        return json(array);
    }

    private static Buffer json(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return Buffer.buffer(io.tophat.http.Responses.MAPPER.writeValueAsBytes(node));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
