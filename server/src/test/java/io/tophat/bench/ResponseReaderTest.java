package io.tophat.bench;

import org.junit.jupiter.api.Timeout;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class ResponseReaderTest {
    private final ResponseReader reader = new ResponseReader();

    private static ByteBuf b(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    @Test
    void an_answer_with_content_length_ends_after_its_body_even_when_split_across_reads() {
        assertThat(reader.feed(b("HTTP/1.1 200 OK\r\nContent-Le"))).isFalse();
        assertThat(reader.feed(b("ngth: 5\r\ncontent-type: text/plain\r\n\r\nab"))).isFalse();
        assertThat(reader.feed(b("cde"))).isTrue();
        assertThat(reader.status()).isEqualTo(200);
        assertThat(reader.closeAfter()).isFalse();
    }

    @Test
    void a_redirect_without_body_ends_with_its_head() {
        assertThat(reader.feed(b("HTTP/1.1 302 Found\r\nlocation: http://w/x\r\ncontent-length: 0\r\n\r\n"))).isTrue();
        assertThat(reader.status()).isEqualTo(302);
    }

    @Test
    void a_chunked_answer_ends_after_the_last_chunk_and_trailer() {
        assertThat(reader.feed(b("HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;x=y\r\nabcd\r\n"))).isFalse();
        assertThat(reader.feed(b("a\r\n0123456789\r\n0\r\n"))).isFalse();
        assertThat(reader.feed(b("X-Trailer: 1\r\n\r\n"))).isTrue();
        assertThat(reader.status()).isEqualTo(503);
    }

    @Test
    void connection_close_is_noticed_and_the_reader_can_be_reused() {
        assertThat(reader.feed(b("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"))).isTrue();
        assertThat(reader.closeAfter()).isTrue();

        reader.reset();
        assertThat(reader.feed(b("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"))).isTrue();
        assertThat(reader.status()).isEqualTo(404);
        assertThat(reader.closeAfter()).isFalse();
    }

    @Test
    void a_retry_after_header_is_noticed_in_any_case_and_forgotten_by_the_next_answer() {
        assertThat(reader.feed(b("HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\nretry-after: 1\r\n\r\n{}")))
                .isTrue();
        assertThat(reader.status()).isEqualTo(503);
        assertThat(reader.retryAfter()).isTrue();

        reader.reset();
        assertThat(reader.feed(b("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nX-Retry-After: 1\r\n\r\n")))
                .isTrue();
        assertThat(reader.retryAfter()).isFalse();

        reader.reset();
        assertThat(reader.feed(b("HTTP/1.1 503 Service Unavailable\r\nRetry-After:  \r\nContent-Length: 0\r\n\r\n")))
                .isTrue();
        assertThat(reader.retryAfter()).as("an empty Retry-After is no Retry-After").isFalse();

        reader.reset();
        assertThat(reader.feed(b("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))).isTrue();
        assertThat(reader.retryAfter()).isFalse();
    }

    @Test
    void an_answer_without_length_ends_with_the_connection() {
        assertThat(reader.feed(b("HTTP/1.0 200 OK\r\n\r\nsome body"))).isFalse();
        assertThat(reader.endsAtClose()).isTrue();
        assertThat(reader.closeAfter()).isTrue();
    }

    @Test
    void bytes_that_are_not_http_are_refused() {
        assertThatThrownBy(() -> reader.feed(b("SSH-2.0-OpenSSH_9.2\r\n\r\n"))).isInstanceOf(IllegalStateException.class);
    }
}
