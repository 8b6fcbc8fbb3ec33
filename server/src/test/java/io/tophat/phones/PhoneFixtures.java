package io.tophat.phones;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.testing.Http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The payloads of {@code src/test/resources/phones/}, in the shapes the apps send, and what a consumer reads back
 * of a producer through the balancer.
 */
final class PhoneFixtures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PhoneFixtures() {
    }

    static String text(String name) {
        try (InputStream in = PhoneFixtures.class.getResourceAsStream("/phones/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture phones/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The producer's latest record through {@code balancer}'s redirect; fails unless there is one. */
    static JsonNode latest(String balancer, String producer) throws IOException {
        HttpResponse<String> r = Http.getFollowing(balancer + "/api/v1/producers/" + producer);
        assertThat(r.statusCode()).as("latest of " + producer + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** The producer's history, newest first, through {@code balancer}. */
    static List<JsonNode> history(String balancer, String producer) throws IOException {
        HttpResponse<String> r = Http.getFollowing(balancer + "/api/v1/producers/" + producer + "/history");
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.body()).get("heartbeats").forEach(out::add);
        return out;
    }
}
