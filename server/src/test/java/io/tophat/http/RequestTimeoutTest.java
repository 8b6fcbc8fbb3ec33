package io.tophat.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.testing.Http;
import io.tophat.testing.RawHttp;
import io.tophat.testing.RawHttp.Answer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --request-timeout}: a request must arrive whole, headers and body, within its time of its first byte,
 * however slowly its bytes trickle in; waiting between requests and streaming an answer are not under the clock.
 */
@Timeout(30)
class RequestTimeoutTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SHORT = Duration.ofMillis(300);
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
    void headers_trickled_a_byte_at_a_time_get_408_and_the_connection_closed_while_other_clients_are_served()
            throws Exception {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(Duration.ofSeconds(1), 0, 0));
             Socket socket = connect(server.port())) {
            long started = System.nanoTime();
            Thread trickle = trickle(socket, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ", Duration.ofMillis(200));
            assertThat(Http.get(server.uri("/")).statusCode()).as("another client meanwhile").isEqualTo(200);
            Answer answer = RawHttp.read(socket.getInputStream());
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTimeoutAnswer(answer);
            assertClosed(socket);
            assertThat(tookMs).as("from the first byte to the answer, ms").isBetween(900L, 2_500L);
            trickle.join(5_000);
        }
    }

    @Test
    void a_body_that_stops_coming_gets_408_and_the_connection_closed() throws Exception {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(SHORT, 0, 0));
             Socket socket = connect(server.port())) {
            send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
                    + "0123456789");
            assertTimeoutAnswer(RawHttp.read(socket.getInputStream()));
            assertClosed(socket);
        }
    }

    @Test
    void a_keep_alive_connection_waiting_between_requests_is_not_cut() throws Exception {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(SHORT, 0, 0));
             Socket socket = connect(server.port())) {
            send(socket, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
            // the scenario itself: a client idle between requests for twice the request timeout
            Thread.sleep(2 * SHORT.toMillis());
            send(socket, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
            Answer second = RawHttp.read(socket.getInputStream());
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.bodyText()).isEqualTo("3");
        }
    }

    @Test
    void an_answer_streamed_for_longer_than_the_timeout_is_not_cut() {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(SHORT, 0, 0))) {
            var answer = Http.get(server.uri("/stream"));
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).contains("data: 1\n\n").endsWith("data: " + TestServer.STREAM_EVENTS + "\n\n");
        }
    }

    @Test
    void a_web_socket_open_for_longer_than_the_timeout_is_not_cut() throws Exception {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(SHORT, 0, 0))) {
            BlockingQueue<String> received = new LinkedBlockingQueue<>();
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws"), collecting(received))
                    .get(5, TimeUnit.SECONDS);
            ws.sendText("first", true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("first");
            // the scenario itself: a quiet WebSocket, past the request timeout
            Thread.sleep(3 * SHORT.toMillis());
            ws.sendText("second", true).get(5, TimeUnit.SECONDS);
            assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("second");
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
        }
    }

    static Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    static void send(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Sends {@code start}, then one more byte of the header every {@code interval}, until the server closes. */
    static Thread trickle(Socket socket, String start, Duration interval) throws IOException {
        send(socket, start);
        Thread thread = new Thread(() -> {
            try {
                while (!socket.isClosed()) {
                    Thread.sleep(interval.toMillis());
                    send(socket, "a");
                }
            } catch (IOException | InterruptedException closed) {
                // the server closed the connection, or the test did
            }
        }, "trickle");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    static void assertTimeoutAnswer(Answer answer) throws IOException {
        assertThat(answer.outcome()).isEqualTo(RawHttp.Outcome.ANSWERED);
        assertThat(answer.status()).as(answer.bodyText()).isEqualTo(408);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.header("Connection")).isEqualTo("close");
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isEqualTo("request timeout");
        assertThat(JSON.readTree(answer.body()).path("detail").asText()).isNotEmpty();
    }

    /** The server closed the connection: the stream ends (or is reset, when a byte crossed the close). */
    static void assertClosed(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        int next;
        try {
            next = in.read();
        } catch (SocketException reset) {
            next = -1;
        }
        assertThat(next).as("the connection is closed").isEqualTo(-1);
    }

    private static WebSocket.Listener collecting(BlockingQueue<String> received) {
        return new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    received.add(text.toString());
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }
        };
    }
}
