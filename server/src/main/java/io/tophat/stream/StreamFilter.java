package io.tophat.stream;

import io.tophat.http.ApiException;
import io.tophat.protocol.ProducerId;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Which producers a stream follows: a set of ids, or every producer (the firehose).
 *
 * @param producers the ids followed, or null for every producer
 * @param within    the producers the subscriber may see (a consumer key's scope), or null for any
 */
public record StreamFilter(Set<String> producers, java.util.function.Predicate<String> within) {
    /** The most producers one stream may name; more is the firehose's job. */
    public static final int MAX_PRODUCERS = 1000;
    public static final StreamFilter ALL = new StreamFilter(null, null);

    public StreamFilter(Set<String> producers) {
        this(producers, null);
    }

    public StreamFilter {
        producers = producers == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(producers));
    }

    public static StreamFilter of(String producer) {
        return new StreamFilter(Set.of(producer));
    }

    public boolean matches(String producer) {
        return (producers == null || producers.contains(producer)) && (within == null || within.test(producer));
    }

    /** True when the subscriber follows every producer it may see (no ids named). */
    public boolean all() {
        return producers == null;
    }

    /** This filter narrowed to what {@code within} accepts. */
    public StreamFilter within(java.util.function.Predicate<String> scope) {
        return new StreamFilter(producers, scope);
    }

    /**
     * The filter of a request: the path's producer, else the comma-separated {@code producers} parameter, else
     * every producer. 400 for a bad id, an empty list or more than {@value #MAX_PRODUCERS} ids.
     */
    public static StreamFilter parse(String pathProducer, String producersParam) {
        if (pathProducer != null) {
            check(pathProducer);
            return of(pathProducer);
        }
        if (producersParam == null) {
            return ALL;
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String id : producersParam.split(",", -1)) {
            check(id);
            ids.add(id);
        }
        if (ids.size() > MAX_PRODUCERS) {
            throw ApiException.badRequest("too many producers", "a stream follows at most " + MAX_PRODUCERS
                    + " producers by id (this one named " + ids.size() + "); leave producers out for every producer");
        }
        return new StreamFilter(ids);
    }

    private static void check(String id) {
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw ApiException.badRequest("invalid producer id", problem);
        }
    }

    /** The value of a {@code producers} parameter for this filter, or null for every producer. */
    public String param() {
        return producers == null ? null : String.join(",", producers);
    }
}
