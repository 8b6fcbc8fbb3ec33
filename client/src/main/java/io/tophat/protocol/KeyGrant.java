package io.tophat.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * A consumer key as the balancer keeps it and hands it to its workers in lease answers: its name, the SHA-256 of
 * the key (never the key), and its scope.
 *
 * @param name      the key's name, unique in the cluster
 * @param hash      the SHA-256 of the key, in lowercase hex
 * @param producers ids the key reaches; with {@code prefixes} both empty, every producer
 * @param prefixes  id prefixes the key reaches
 * @param ops       what the key may do: read, stream, near, export, erase
 * @param rate      requests a second the key may make, 0 for no limit
 * @param createdAt when the key was made, epoch milliseconds
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyGrant(@JsonProperty("name") String name,
                       @JsonProperty("hash") String hash,
                       @JsonProperty("producers") List<String> producers,
                       @JsonProperty("prefixes") List<String> prefixes,
                       @JsonProperty("ops") List<String> ops,
                       @JsonProperty("rate") double rate,
                       @JsonProperty("created_at") long createdAt) {

    public KeyGrant {
        producers = producers == null ? List.of() : List.copyOf(producers);
        prefixes = prefixes == null ? List.of() : List.copyOf(prefixes);
        ops = ops == null ? List.of() : List.copyOf(ops);
    }
}
