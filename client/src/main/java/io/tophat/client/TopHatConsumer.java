package io.tophat.client;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.ProducerId;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Optional;

/**
 * A TopHat consumer: asks a balancer for a producer's data and follows the balancer's redirect to the worker that
 * holds it. Balancers are tried in turn when one cannot be reached. Safe to use from several threads.
 */
public final class TopHatConsumer {
    private static final int MAX_REDIRECTS = 3;

    private final List<URI> balancers;
    private final Transport transport;
    private volatile int preferred;

    public TopHatConsumer(ConsumerConfig config) {
        this(config, TopHatHttpClients.create(config.connectTimeout()));
    }

    /** @param http the HTTP client to use, which may be shared (see {@link TopHatHttpClients#create}) */
    public TopHatConsumer(ConsumerConfig config, HttpClient http) {
        this.balancers = config.balancers();
        this.transport = new Transport(http, config.requestTimeout(), config.maxBodyBytes());
    }

    /**
     * The producer's latest data through the seed path: balancer {@code GET /get_data/{id}}, its 302 followed to
     * the worker.
     *
     * @throws ServerStatusException for any other answer (for example 503 while the producer's worker is dead)
     * @throws UnreachableException  when no balancer, or the worker, could be reached in time
     */
    public DataReply latestData(String producerId) throws InterruptedException {
        ProducerId.require(producerId);
        Reply first = askBalancer("/get_data/" + producerId);
        if (first.status() == 400) {
            return new DataReply.UnknownProducer(first.serverMessage());
        }
        Reply last = follow(first);
        if (last.isSuccess()) {
            return new DataReply.Data(last.text(), last.uri());
        }
        if (last != first && (last.status() == 400 || last.status() == 404)) {
            return new DataReply.NoData(last.uri(), last.serverMessage());
        }
        throw last.failure();
    }

    /**
     * The producer's latest full record through API v1: balancer {@code GET /api/v1/producers/{id}}, its 307
     * followed to the worker. Empty when the balancer or the worker answers 404.
     *
     * @throws ServerStatusException for any other answer
     * @throws UnreachableException  when no balancer, or the worker, could be reached in time
     */
    public Optional<Heartbeat> latest(String producerId) throws InterruptedException {
        ProducerId.require(producerId);
        Reply last = follow(askBalancer("/api/v1/producers/" + producerId));
        if (last.status() == 404) {
            return Optional.empty();
        }
        if (!last.isSuccess()) {
            throw last.failure();
        }
        try {
            return Optional.of(HeartbeatJson.decode(last.body()));
        } catch (IllegalArgumentException e) {
            throw new TopHatException(last.uri() + " answered with a record that cannot be read: " + e.getMessage(), e);
        }
    }

    /** Sends {@code GET path} to the balancers in turn, starting with the last that answered, until one answers. */
    private Reply askBalancer(String path) throws InterruptedException {
        int start = preferred;
        UnreachableException unreachable = null;
        for (int i = 0; i < balancers.size(); i++) {
            int index = (start + i) % balancers.size();
            try {
                Reply reply = transport.get(Endpoints.resolve(balancers.get(index), path));
                preferred = index;
                return reply;
            } catch (UnreachableException e) {
                unreachable = e;
            }
        }
        throw unreachable;
    }

    private Reply follow(Reply reply) throws InterruptedException {
        Reply current = reply;
        for (int hops = 0; current.isRedirect(); hops++) {
            URI target = current.location();
            if (target == null) {
                throw new TopHatException(current.uri() + " answered " + current.status() + " without a Location header");
            }
            if (hops == MAX_REDIRECTS) {
                throw new TopHatException("more than " + MAX_REDIRECTS + " redirects, the last from " + current.uri());
            }
            current = transport.get(target);
        }
        return current;
    }
}
