package io.tophat.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;

/** Small helpers for the answers every server sends. */
public final class Responses {
    public static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
    public static final CharSequence TEXT = HttpHeaders.createOptimized("text/plain; charset=utf-8");
    /** For the few non-hot answers (cluster status, health) built from records and maps. */
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * For answers whose member names are producer ids (a lease answer's grants and revocations): Jackson keeps
     * every member name it reads in a symbol table and interns it (String.intern), which costs microseconds per
     * name and keeps it; a million ids are data, not names.
     */
    public static final ObjectMapper ID_KEYED = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES).build())
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Responses() {
    }

    public static void json(HttpServerResponse response, int status, Buffer body) {
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
    }

    public static void json(HttpServerResponse response, int status, Object value) {
        try {
            json(response, status, Buffer.buffer(MAPPER.writeValueAsBytes(value)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static void text(HttpServerResponse response, int status, String body) {
        response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, TEXT).end(body);
    }

    public static void redirect(HttpServerResponse response, int status, String location) {
        response.setStatusCode(status).putHeader(HttpHeaders.LOCATION, location).end();
    }
}
