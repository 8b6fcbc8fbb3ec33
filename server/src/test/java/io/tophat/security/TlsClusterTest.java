package io.tophat.security;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.DataReply;
import io.tophat.client.Delivery;
import io.tophat.client.ProducerConfig;
import io.tophat.client.SendResult;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatProducer;
import io.tophat.client.UnreachableException;
import io.tophat.http.ServerTls;
import io.tophat.http.TlsConfig;
import io.tophat.protocol.Location;
import io.tophat.testing.SecuredCluster;
import io.tophat.testing.TestTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The whole cluster over TLS with every credential on: the workers register over HTTPS, the balancer redirects to
 * their HTTPS URLs, and the client library trusts the cluster's CA given as a file.
 */
@Timeout(120)
class TlsClusterTest {
    private static final TlsConfig TLS = new TlsConfig(Optional.of(new ServerTls(TestTls.certificate(), TestTls.key())),
            Optional.of(TestTls.certificate()));

    @TempDir
    Path dir;

    @Test
    void producers_send_and_consumers_read_over_https_and_every_redirect_keeps_the_scheme() throws Exception {
        try (SecuredCluster cluster = SecuredCluster.start(dir, 2, s -> s.withTls(TLS))) {
            URI balancer = cluster.balancer();
            assertThat(balancer.getScheme()).isEqualTo("https");
            String key = cluster.issueKey("reader", List.of(), List.of(), List.of());
            String data = "{\"battery\":71,\"note\":\"über TLS\"}";
            ProducerConfig config = ProducerConfig.of("tls-phone", balancer).withToken(cluster.token("tls-phone"))
                    .withCa(TestTls.certificate());
            try (TopHatProducer producer = new TopHatProducer(config)) {
                assertThat(producer.register().getScheme()).as("the worker the balancer assigned").isEqualTo("https");
                SendResult sent = producer.send(new Location(56.3398, -2.7967, null, 5.0, 1.4, 90.0, null), data);
                assertThat(sent.delivery()).isEqualTo(Delivery.ACKNOWLEDGED);
            }

            TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(balancer).withKey(key)
                    .withCa(TestTls.certificate()));
            await().atMost(SecuredCluster.keyPropagation()).ignoreExceptions().untilAsserted(() ->
                    assertThat(consumer.latestData("tls-phone")).isInstanceOfSatisfying(DataReply.Data.class, d -> {
                        assertThat(d.json()).isEqualTo(data);
                        assertThat(d.worker().getScheme()).isEqualTo("https");
                    }));

            TopHatConsumer trustingTheJvm = new TopHatConsumer(ConsumerConfig.of(balancer).withKey(key)
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
            assertThatThrownBy(() -> trustingTheJvm.latestData("tls-phone"))
                    .as("a client that does not trust the cluster's CA").isInstanceOf(UnreachableException.class);
            assertThat(plainHttpAnswer(balancer.getPort())).as("plain HTTP to the HTTPS port")
                    .doesNotStartWith("HTTP/1.1 200").doesNotStartWith("HTTP/1.1 302");
        }
    }

    /** What a plain-HTTP request to an HTTPS port gets back: the first bytes, as text (empty when closed). */
    private static String plainHttpAnswer(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[64];
            int n = in.read(buffer);
            return n <= 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketException e) {
            return "";
        }
    }
}
