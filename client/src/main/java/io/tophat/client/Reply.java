package io.tophat.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tophat.protocol.HeartbeatJson;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** One HTTP answer as the client library reads it: where it came from, its status, headers and body. */
record Reply(URI uri, int status, HttpHeaders headers, byte[] body) {
    private static final int MAX_MESSAGE_CHARS = 300;

    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    boolean isRedirect() {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** The redirect target, resolved against the request address, or null when the answer has none. */
    URI location() {
        return headers.firstValue("Location").map(uri::resolve).orElse(null);
    }

    /** The wait the server asked for with Retry-After (seconds or an HTTP date), or null when absent or unreadable. */
    Duration retryAfter() {
        String value = headers.firstValue("Retry-After").map(String::trim).orElse(null);
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.chars().allMatch(Character::isDigit)) {
            return value.length() > 9 ? null : Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Duration until = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
            return until.isNegative() ? Duration.ZERO : until;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The server's explanation: {@code error: detail} from a JSON error body, else the body text, shortened. */
    String serverMessage() {
        String fromJson = jsonErrorMessage();
        String message = fromJson != null ? fromJson : text().strip();
        return message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
    }

    /** This answer as the exception a call throws when it cannot use it. */
    ServerStatusException failure() {
        return new ServerStatusException(uri, status, serverMessage(), retryAfter());
    }

    private String jsonErrorMessage() {
        if (body.length == 0 || body[0] != '{') {
            return null;
        }
        String error = null;
        String detail = null;
        try (JsonParser p = HeartbeatJson.FACTORY.createParser(body)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && name.equals("error")) {
                    error = p.getText();
                } else if (value == JsonToken.VALUE_STRING && name.equals("detail")) {
                    detail = p.getText();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return null;
        }
        if (error == null) {
            return detail;
        }
        return detail == null || detail.isEmpty() ? error : error + ": " + detail;
    }
}
