package io.tophat.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.testing.RawHttp;
import io.tophat.testing.RawHttp.Answer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --max-connections} and {@code --max-connections-per-address}: a connection beyond either cap is answered
 * 503 and closed as soon as it is accepted, before it sends anything; closed connections give their slots back.
 * Clients come from several loopback addresses (Linux routes all of 127.0.0.0/8 to lo).
 */
@Timeout(30)
class ConnectionCapsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = HttpLimits.DEFAULT.requestTimeout();
    private static Vertx vertx;
    private final List<Socket> open = new ArrayList<>();

    @BeforeAll
    static void startVertx() {
        vertx = VertxRuntime.create();
    }

    @AfterAll
    static void stopVertx() {
        TestServer.await(vertx.close());
    }

    @AfterEach
    void closeSockets() throws IOException {
        for (Socket socket : open) {
            socket.close();
        }
    }

    @Test
    void beyond_the_per_address_cap_a_connection_gets_503_and_is_closed_while_other_addresses_are_served()
            throws Exception {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(TIMEOUT, 0, 5))) {
            List<Socket> first = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                first.add(servedFrom("127.0.0.1", server));
            }
            assertRefused(connect("127.0.0.1", server), "too many connections from this address");
            servedFrom("127.0.0.2", server);

            first.get(0).close();
            first.get(1).close();
            InetAddress local = InetAddress.getByName("127.0.0.1");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.caps().open(local) == 3);
            servedFrom("127.0.0.1", server);
            servedFrom("127.0.0.1", server);
            assertRefused(connect("127.0.0.1", server), "too many connections from this address");
        }
    }

    @Test
    void beyond_the_process_cap_a_connection_gets_503_whatever_its_address() throws Exception {
        try (TestServer server = TestServer.start(vertx, TestServer.limits(TIMEOUT, 4, 0))) {
            Socket firstOfAll = servedFrom("127.0.0.1", server);
            servedFrom("127.0.0.1", server);
            servedFrom("127.0.0.2", server);
            servedFrom("127.0.0.3", server);
            assertRefused(connect("127.0.0.4", server), "too many connections");

            firstOfAll.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.caps().open() == 3);
            servedFrom("127.0.0.4", server);
            assertRefused(connect("127.0.0.5", server), "too many connections");
        }
    }

    @Test
    void counts_stay_exact_when_many_connect_at_once_on_several_event_loops() throws Exception {
        int cap = 10;
        int clients = 40;
        try (TestServer server = TestServer.start(vertx, TestServer.limits(TIMEOUT, 0, cap))) {
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<Boolean>> admitted = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    admitted.add(pool.submit(admittedSilently(server)));
                }
                int count = 0;
                for (Future<Boolean> one : admitted) {
                    count += one.get() ? 1 : 0;
                }
                assertThat(count).as("connections admitted at once").isEqualTo(cap);
                assertThat(server.caps().open()).isEqualTo(cap);
            } finally {
                pool.shutdownNow();
            }
            closeSockets();
            open.clear();
            InetAddress local = InetAddress.getByName("127.0.0.1");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.caps().open() == 0
                    && server.caps().open(local) == 0);
            for (int i = 0; i < cap; i++) {
                servedFrom("127.0.0.1", server);
            }
            assertRefused(connect("127.0.0.1", server), "too many connections from this address");
        }
    }

    @Test
    void counts_return_to_zero_after_many_connect_and_close_at_once() throws Exception {
        int threads = 8;
        int each = 25;
        try (TestServer server = TestServer.start(vertx, TestServer.limits(TIMEOUT, 1000, 1000))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    String local = "127.0.0." + (1 + t % 2);
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < each; i++) {
                            try (Socket socket = new Socket()) {
                                socket.bind(new InetSocketAddress(local, 0));
                                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
                                socket.setSoTimeout(5_000);
                                if (i % 2 == 0) {
                                    RequestTimeoutTest.send(socket, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                                    assertThat(RawHttp.read(socket.getInputStream()).status()).isEqualTo(200);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> one : done) {
                    one.get();
                }
            } finally {
                pool.shutdownNow();
            }
            InetAddress first = InetAddress.getByName("127.0.0.1");
            InetAddress second = InetAddress.getByName("127.0.0.2");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.caps().open() == 0
                    && server.caps().open(first) == 0 && server.caps().open(second) == 0
                    && server.caps().addresses() == 0);
        }
    }

    /**
     * Connects and, sending nothing, waits a moment for a refusal: true when none came (the connection is held), false
     * on a 503.
     */
    private Callable<Boolean> admittedSilently(TestServer server) {
        return () -> {
            Socket socket = connect("127.0.0.1", server);
            socket.setSoTimeout(1_000);
            Answer answer = RawHttp.read(socket.getInputStream());
            if (answer.outcome() == RawHttp.Outcome.NO_ANSWER_IN_TIME) {
                return true;
            }
            assertThat(answer.status()).as(answer.bodyText()).isEqualTo(503);
            return false;
        };
    }

    /** A connection from {@code local} that was admitted: it gets a 200, and stays open. */
    private Socket servedFrom(String local, TestServer server) throws IOException {
        Socket socket = connect(local, server);
        RequestTimeoutTest.send(socket, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Answer answer = RawHttp.read(socket.getInputStream());
        assertThat(answer.status()).as("a connection from " + local + ": " + answer.bodyText()).isEqualTo(200);
        return socket;
    }

    private Socket connect(String local, TestServer server) throws IOException {
        Socket socket = new Socket();
        open.add(socket);
        socket.bind(new InetSocketAddress(local, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    /** The connection, which sent nothing, got the 503 and was closed. */
    private static void assertRefused(Socket socket, String error) throws IOException {
        Answer answer = RawHttp.read(socket.getInputStream());
        assertThat(answer.outcome()).isEqualTo(RawHttp.Outcome.ANSWERED);
        assertThat(answer.status()).as(answer.bodyText()).isEqualTo(503);
        assertThat(answer.header("Content-Type")).isEqualTo("application/json");
        assertThat(answer.header("Retry-After")).isEqualTo("1");
        assertThat(answer.header("Connection")).isEqualTo("close");
        assertThat(JSON.readTree(answer.body()).path("error").asText()).isEqualTo(error);
        RequestTimeoutTest.assertClosed(socket);
    }
}
