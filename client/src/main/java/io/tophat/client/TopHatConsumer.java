package io.tophat.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.protocol.HistoryPageJson;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.ProducerId;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Objects;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Optional;

/**
 * A TopHat consumer: asks a balancer for a producer's data and follows the balancer's redirect to the worker that
 * holds it. Balancers are tried in turn when one cannot be reached. Every call has the configured timeouts; every
 * blocking call has an {@code ...Async} form returning a {@link CompletableFuture}. Safe to use from several
 * threads.
 */
public final class TopHatConsumer {
    private static final int MAX_REDIRECTS = 3;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final ConsumerConfig config;
    private final HttpClient http;
    private final List<URI> balancers;
    private final Transport transport;
    private final Executor async;
    private volatile int preferred;

    public TopHatConsumer(ConsumerConfig config) {
        this(config, TopHatHttpClients.create(config.connectTimeout(), config.ca()));
    }

    /** @param http the HTTP client to use, which may be shared (see {@link TopHatHttpClients#create}) */
    public TopHatConsumer(ConsumerConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
        this.balancers = config.balancers();
        this.transport = new Transport(http, config.requestTimeout(), config.maxBodyBytes(), config.key());
        this.async = http.executor().orElseGet(() -> command -> {
            Thread t = new Thread(command, "tophat-consumer");
            t.setDaemon(true);
            t.start();
        });
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

    /** {@link #latest} without blocking the caller. */
    public CompletableFuture<Optional<Heartbeat>> latestAsync(String producerId) {
        return supply(() -> latest(producerId));
    }

    /**
     * One page of the producer's history through the balancer ({@code GET /api/v1/producers/{id}/history}, its
     * 307 followed when the history is on one worker): from every store that held the producer, merged in order.
     *
     * @param cursor the {@link HistoryPage#next()} of the previous page, or null for the first
     * @throws ServerStatusException for an answer other than 200 (404: the producer is unknown)
     */
    public HistoryPage historyPage(String producerId, HistoryQuery query, String cursor) throws InterruptedException {
        ProducerId.require(producerId);
        Reply last = follow(askBalancer("/api/v1/producers/" + producerId + "/history?" + query.parameters(cursor)));
        if (!last.isSuccess()) {
            throw last.failure();
        }
        try {
            HistoryPageJson.Page page = HistoryPageJson.read(last.body());
            return new HistoryPage(producerId, page.heartbeats(), page.next(), page.complete(), page.missing());
        } catch (IllegalArgumentException e) {
            throw new TopHatException(last.uri() + " answered with a history page that cannot be read: " + e.getMessage(), e);
        }
    }

    public CompletableFuture<HistoryPage> historyPageAsync(String producerId, HistoryQuery query, String cursor) {
        return supply(() -> historyPage(producerId, query, cursor));
    }

    /**
     * The producer's history as a lazy stream that reads a page whenever it runs out, following the cursors.
     * Reading it may throw {@link TopHatException} (a page that failed) or {@link IncompleteHistoryException} (a
     * store that could not be read: the stream never silently skips part of the history).
     */
    public Stream<Heartbeat> history(String producerId, HistoryQuery query) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(historyIterator(producerId, query),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    /** The same as {@link #history}, as an iterator. */
    public Iterator<Heartbeat> historyIterator(String producerId, HistoryQuery query) {
        ProducerId.require(producerId);
        return new Iterator<>() {
            private Iterator<Heartbeat> current = java.util.Collections.emptyIterator();
            private String cursor;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && !last) {
                    HistoryPage page;
                    try {
                        page = historyPage(producerId, query, cursor);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new TopHatException("interrupted while reading the history of " + producerId, e);
                    }
                    if (!page.complete()) {
                        throw new IncompleteHistoryException(producerId, page.missing());
                    }
                    current = page.heartbeats().iterator();
                    cursor = page.next();
                    last = cursor == null;
                }
                return current.hasNext();
            }

            @Override
            public Heartbeat next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    /**
     * Streams the producer's history in {@code format} into {@code out}, as the servers write it (constant memory
     * here and there, whatever the range); returns the bytes written.
     *
     * @throws IncompleteHistoryException when the balancer says a store could not be read (nothing is written)
     */
    public long export(String producerId, Instant from, Instant to, ExportFormat format, OutputStream out)
            throws InterruptedException {
        return export(producerId, new HistoryQuery(from, to, false, HistoryQuery.DEFAULT_PAGE_SIZE), format, out,
                bytes -> { });
    }

    /** {@link #export} with the query's order, and {@code progress} told the bytes written so far. */
    public long export(String producerId, HistoryQuery query, ExportFormat format, OutputStream out,
                       LongConsumer progress) throws InterruptedException {
        ProducerId.require(producerId);
        String path = "/api/v1/producers/" + producerId + "/history?" + query.parameters(null) + "&format="
                + format.parameter();
        long[] written = {0};
        LongConsumer counting = n -> {
            written[0] = n;
            progress.accept(n);
        };
        java.util.function.Consumer<java.net.http.HttpHeaders> complete = headers ->
                headers.firstValue("TopHat-Missing").ifPresent(missing -> {
                    throw new IncompleteHistoryException(producerId, List.of(missing.split(",")));
                });
        int start = preferred;
        Reply reply = null;
        UnreachableException unreachable = null;
        for (int i = 0; i < balancers.size() && reply == null; i++) {
            try {
                reply = transport.stream(Endpoints.resolve(balancers.get((start + i) % balancers.size()), path), out,
                        counting, complete);
            } catch (UnreachableException e) {
                unreachable = e;
            }
        }
        if (reply == null) {
            throw unreachable;
        }
        if (reply.isRedirect() && reply.location() != null) {
            reply = transport.stream(reply.location(), out, counting, complete);
        }
        if (!reply.isSuccess()) {
            throw reply.failure();
        }
        return written[0];
    }

    /**
     * Every producer the balancer assigned, by id, seen since {@code seenSince} (null: all, those never heard from
     * included), as a lazy stream over the balancer's pages.
     */
    public Stream<ProducerInfo> producers(Instant seenSince) {
        Iterator<ProducerInfo> pages = new Iterator<>() {
            private Iterator<ProducerInfo> current = java.util.Collections.emptyIterator();
            private String cursor;
            private boolean last;

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && !last) {
                    String path = "/api/v1/producers?limit=1000" + (seenSince == null ? ""
                            : "&seen_since=" + seenSince.toEpochMilli()) + (cursor == null ? "" : "&cursor=" + cursor);
                    Reply reply;
                    try {
                        reply = askBalancer(path);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new TopHatException("interrupted while listing producers", e);
                    }
                    if (!reply.isSuccess()) {
                        throw reply.failure();
                    }
                    List<ProducerInfo> page = new java.util.ArrayList<>();
                    try {
                        JsonNode body = MAPPER.readTree(reply.body());
                        for (JsonNode p : body.path("producers")) {
                            page.add(new ProducerInfo(p.path("id").asText(),
                                    p.path("worker").isTextual() ? URI.create(p.path("worker").asText()) : null,
                                    p.path("last_seen").isNumber() ? Instant.ofEpochMilli(p.path("last_seen").asLong()) : null));
                        }
                        cursor = body.path("next").isTextual() ? body.path("next").asText() : null;
                    } catch (java.io.IOException e) {
                        throw new TopHatException(reply.uri() + " answered a producer list that cannot be read", e);
                    }
                    last = cursor == null;
                    current = page.iterator();
                }
                return current.hasNext();
            }

            @Override
            public ProducerInfo next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(pages, Spliterator.ORDERED), false);
    }

    /**
     * Erases the producer everywhere ({@code DELETE /api/v1/producers/{id}} on the balancer): every store that held
     * it, the workers' caches, its assignment.
     *
     * @throws ServerStatusException 404 for an unknown producer; 503 while a store cannot be reached (what was
     *                               erased elsewhere stays erased; call again)
     */
    public Erasure erase(String producerId) throws InterruptedException {
        ProducerId.require(producerId);
        Reply reply = toBalancers(base -> transport.delete(Endpoints.resolve(base, "/api/v1/producers/" + producerId)));
        if (!reply.isSuccess()) {
            throw reply.failure();
        }
        try {
            JsonNode body = MAPPER.readTree(reply.body());
            java.util.Map<String, Long> erased = new java.util.LinkedHashMap<>();
            body.path("erased").fields().forEachRemaining(e -> erased.put(e.getKey(), e.getValue().asLong()));
            return new Erasure(producerId, erased, body.path("total").asLong());
        } catch (java.io.IOException e) {
            throw new TopHatException(reply.uri() + " answered an erasure that cannot be read", e);
        }
    }

    public CompletableFuture<Erasure> eraseAsync(String producerId) {
        return supply(() -> erase(producerId));
    }

    /**
     * Follows one producer live ({@code GET /api/v1/producers/{id}/stream} on the balancer): every heartbeat stored
     * after {@code fromToken} (null: from now on), each once, in order, across worker moves and reconnects.
     * Returns at once; {@link Watch#close()} ends it.
     */
    public Watch watch(String producerId, String fromToken, StreamListener listener) {
        ProducerId.require(producerId);
        return watching(producerId, "/api/v1/producers/" + producerId + "/stream?", fromToken, listener);
    }

    /** {@link #watch(String, String, StreamListener)} for a set of producers (1 to 1,000), in one stream. */
    public Watch watch(Collection<String> producerIds, String fromToken, StreamListener listener) {
        if (producerIds.isEmpty()) {
            throw new IllegalArgumentException("watch needs at least one producer id (watchAll follows every producer)");
        }
        StringBuilder ids = new StringBuilder();
        for (String id : producerIds) {
            ProducerId.require(id);
            ids.append(ids.length() == 0 ? "" : ",").append(URLEncoder.encode(id, StandardCharsets.UTF_8));
        }
        return watching(producerIds.size() + "-producers", "/api/v1/stream?producers=" + ids + "&", fromToken, listener);
    }

    /** {@link #watch(String, String, StreamListener)} for every producer of the cluster (the firehose). */
    public Watch watchAll(String fromToken, StreamListener listener) {
        return watching("all", "/api/v1/stream?", fromToken, listener);
    }

    private Watch watching(String name, String pathPrefix, String fromToken, StreamListener listener) {
        Objects.requireNonNull(listener, "listener");
        return new Watch(name, config, http, preferred, fromToken,
                token -> token == null ? pathPrefix.substring(0, pathPrefix.length() - 1) : pathPrefix + "after=" + token,
                new HeartbeatFrames(listener)).start();
    }

    /**
     * Follows an area's {@code enter} and {@code leave} events ({@code GET /api/v1/areas/{name}/stream}), live
     * only; reconnects by itself. Ends with {@link AreaListener#failed} when the area is unknown or removed.
     */
    public Watch areaEvents(String name, AreaListener listener) {
        Objects.requireNonNull(listener, "listener");
        String path = "/api/v1/areas/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "/stream";
        return new Watch("area-" + name, config, http, preferred, null, token -> path, new AreaFrames(listener)).start();
    }

    /**
     * The producers whose latest position lies within {@code radiusM} metres of ({@code lat}, {@code lon}),
     * nearest first, from every live worker ({@code GET /api/v1/near}).
     *
     * @param limit     the most producers answered, 1 to 10,000
     * @param seenSince only positions at or after this time; null for all
     * @throws ServerStatusException 400 for a value out of range
     */
    public NearAnswer near(double lat, double lon, double radiusM, int limit, Instant seenSince) throws InterruptedException {
        Reply reply = askBalancer("/api/v1/near?lat=" + lat + "&lon=" + lon + "&radius_m=" + radiusM + "&limit=" + limit
                + (seenSince == null ? "" : "&seen_since=" + seenSince.toEpochMilli()));
        if (!reply.isSuccess()) {
            throw reply.failure();
        }
        return GeoJson.near(reply);
    }

    /**
     * Creates a watched area ({@code POST /api/v1/areas}): true when it is new, false when the same area existed.
     *
     * @throws ServerStatusException 409 when the name is taken by another shape, 422 for an invalid area
     */
    public boolean addArea(Area area) throws InterruptedException {
        byte[] json = GeoJson.write(area);
        Reply reply = toBalancers(base -> transport.postJson(Endpoints.resolve(base, "/api/v1/areas"), json));
        if (!reply.isSuccess()) {
            throw reply.failure();
        }
        return reply.status() == 201;
    }

    /** Every watched area, by name. */
    public List<Area> areas() throws InterruptedException {
        Reply reply = askBalancer("/api/v1/areas");
        if (!reply.isSuccess()) {
            throw reply.failure();
        }
        return GeoJson.areas(reply);
    }

    /** The area and who is inside it now (at most {@code limit}, 1 to 10,000); empty when there is no such area. */
    public Optional<AreaOccupancy> area(String name, int limit) throws InterruptedException {
        Reply reply = askBalancer("/api/v1/areas/" + URLEncoder.encode(name, StandardCharsets.UTF_8)
                + "?limit=" + limit);
        if (reply.status() == 404) {
            return Optional.empty();
        }
        if (!reply.isSuccess()) {
            throw reply.failure();
        }
        return Optional.of(GeoJson.occupancy(reply));
    }

    /** Removes the area (its streams end): true when it existed. */
    public boolean removeArea(String name) throws InterruptedException {
        String path = "/api/v1/areas/" + URLEncoder.encode(name, StandardCharsets.UTF_8);
        Reply reply = toBalancers(base -> transport.delete(Endpoints.resolve(base, path)));
        if (reply.status() == 404) {
            return false;
        }
        if (!reply.isSuccess()) {
            throw reply.failure();
        }
        return true;
    }

    /** A blocking call run on the HTTP client's executor (or a thread of its own). */
    private <T> CompletableFuture<T> supply(Blocking<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        async.execute(() -> {
            try {
                result.complete(call.run());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @FunctionalInterface
    private interface Blocking<T> {
        T run() throws InterruptedException;
    }

    /** Sends {@code GET path} to the balancers in turn, starting with the last that answered, until one answers. */
    private Reply askBalancer(String path) throws InterruptedException {
        return toBalancers(base -> transport.get(Endpoints.resolve(base, path)));
    }

    /** Sends one request to the balancers in turn, starting with the last that answered, until one answers. */
    private Reply toBalancers(Exchange exchange) throws InterruptedException {
        int start = preferred;
        UnreachableException unreachable = null;
        for (int i = 0; i < balancers.size(); i++) {
            int index = (start + i) % balancers.size();
            try {
                Reply reply = exchange.send(balancers.get(index));
                preferred = index;
                return reply;
            } catch (UnreachableException e) {
                unreachable = e;
            }
        }
        throw unreachable;
    }

    @FunctionalInterface
    private interface Exchange {
        Reply send(URI balancer) throws InterruptedException;
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
