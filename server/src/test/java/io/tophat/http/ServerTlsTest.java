package io.tophat.http;

import io.tophat.testing.RawHttp;
import io.tophat.testing.RawHttp.Answer;
import io.tophat.testing.TestTls;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --tls-cert} and {@code --tls-key}: the flags go together and name readable files, and a server given them
 * speaks HTTPS only, with the request clock and the connection caps working beneath TLS as without it.
 */
@Timeout(30)
class ServerTlsTest {
    private static final ServerTls TLS = new ServerTls(TestTls.certificate(), TestTls.key());
    private static Vertx vertx;

    @BeforeAll
    static void startVertx() {
        vertx = VertxRuntime.create();
    }

    @AfterAll
    static void stopVertx() {
        TestServer.await(vertx.close());
    }

    @Test
    void a_client_trusting_the_certificate_gets_200_over_https() throws Exception {
        try (TestServer server = TestServer.start(vertx, HttpLimits.DEFAULT, Optional.of(TLS))) {
            assertThat(server.service().scheme()).isEqualTo("https");
            HttpClient client = HttpClient.newBuilder().sslContext(TestTls.clientContext())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(URI.create(server.uri("/")))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("ok");
            assertThat(answer.uri().getScheme()).isEqualTo("https");
        }
    }

    @Test
    void plain_http_to_the_tls_port_gets_no_200() throws Exception {
        try (TestServer server = TestServer.start(vertx, HttpLimits.DEFAULT, Optional.of(TLS))) {
            Answer answer = RawHttp.exchange(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII), false, Duration.ofSeconds(5));
            assertThat(answer.outcome() == RawHttp.Outcome.ANSWERED && answer.status() == 200)
                    .as("answered %s %s", answer.outcome(), answer.status()).isFalse();
        }
    }

    @Test
    void a_server_without_tls_says_http() {
        try (TestServer server = TestServer.start(vertx, HttpLimits.DEFAULT)) {
            assertThat(server.service().scheme()).isEqualTo("http");
        }
    }

    @Test
    void headers_trickled_over_tls_get_408_and_the_connection_closed() throws Exception {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(Duration.ofMillis(500), 0, 0),
                Optional.of(TLS));
             SSLSocket socket = tlsConnect(server.port())) {
            RequestTimeoutTest.trickle(socket, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", Duration.ofMillis(100));
            RequestTimeoutTest.assertTimeoutAnswer(RawHttp.read(socket.getInputStream()));
            RequestTimeoutTest.assertClosed(socket);
        }
    }

    @Test
    void a_connection_beyond_the_cap_gets_its_503_over_tls() throws Exception {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(HttpLimits.DEFAULT.requestTimeout(), 0, 1),
                Optional.of(TLS));
             SSLSocket held = tlsConnect(server.port());
             SSLSocket refused = tlsConnect(server.port())) {
            RequestTimeoutTest.send(held, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(RawHttp.read(held.getInputStream()).status()).isEqualTo(200);
            Answer answer = RawHttp.read(refused.getInputStream());
            assertThat(answer.status()).as(answer.bodyText()).isEqualTo(503);
            assertThat(answer.header("Retry-After")).isEqualTo("1");
            RequestTimeoutTest.assertClosed(refused);
        }
    }

    @Test
    void the_flags_go_together() {
        assertThat(ServerTls.fromFlags(null, null)).isEmpty();
        assertThat(ServerTls.fromFlags(TestTls.certificate(), TestTls.key())).contains(TLS);
        assertThatThrownBy(() -> ServerTls.fromFlags(TestTls.certificate(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-key is missing");
        assertThatThrownBy(() -> ServerTls.fromFlags(null, TestTls.key()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert is missing");
    }

    @Test
    void each_flag_names_a_file(@TempDir Path dir) {
        Path missing = dir.resolve("nothing.pem");
        assertThatThrownBy(() -> new ServerTls(missing, TestTls.key()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--tls-cert " + missing)
                .hasMessageContaining("no such file");
        assertThatThrownBy(() -> new ServerTls(TestTls.certificate(), dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--tls-key " + dir)
                .hasMessageContaining("no such file");
    }

    private static SSLSocket tlsConnect(int port) throws IOException {
        SSLSocket socket = (SSLSocket) TestTls.clientContext().getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(5_000);
        socket.startHandshake();
        return socket;
    }
}
