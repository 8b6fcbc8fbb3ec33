package io.tophat.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.security.Secrets;
import io.tophat.testing.Http;
import io.tophat.testing.JarProcess;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * OwnTracks over MQTT, through the machine's real broker (Mosquitto on 127.0.0.1:1883, which .ci/run starts), a
 * real bridge process and a secured cluster: the bridge is killed with SIGKILL while messages stream, messages
 * keep coming while it is away, and after it starts again every message is stored exactly once.
 */
@Timeout(180)
class MqttBridgeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BROKER = System.getenv().getOrDefault("TOPHAT_TEST_MQTT_BROKER", "tcp://127.0.0.1:1883");
    private static final int MESSAGES = 400;
    private static final long FIRST_TST = 1764590400;

    @TempDir
    Path dir;

    @Test
    void a_bridge_killed_mid_stream_loses_nothing_the_broker_handed_over_and_stores_each_position_once()
            throws Exception {
        Path clusterSecret = secret("cluster.secret");
        Path deviceSecret = secret("device.secret");
        String run = "it" + UUID.randomUUID().toString().substring(0, 8);
        // a backlog flows as fast as the bridge can store it: no per-producer rate limit in the way
        List<String> secured = List.of("--auth", "secret", "--cluster-secret-file", clusterSecret.toString(),
                "--device-secret-file", deviceSecret.toString(), "--producer-rate", "0");
        List<String> balancerArgs = new ArrayList<>(List.of("balancer", "--host", "127.0.0.1", "--port", "0",
                "--data-dir", "balancer"));
        balancerArgs.addAll(secured);
        try (JarProcess balancer = JarProcess.start(dir, "balancer", balancerArgs)
                .awaitOutput("TopHat balancer on", Duration.ofSeconds(30))) {
            List<String> workerArgs = new ArrayList<>(List.of("worker", "--host", "127.0.0.1", "--port", "0",
                    "--balancer", "127.0.0.1:" + balancer.printedPort(), "--data-dir", "worker"));
            workerArgs.addAll(secured);
            String base = "http://127.0.0.1:" + balancer.printedPort();
            String secretValue = Files.readString(clusterSecret).strip();
            try (JarProcess worker = JarProcess.start(dir, "worker", workerArgs)
                    .awaitOutput("TopHat worker on port", Duration.ofSeconds(30));
                 Publisher publisher = new Publisher(run)) {
                MqttClient phone = publisher.client;
                JarProcess bridge = bridge(run, balancer.printedPort(), deviceSecret, "bridge-1");
                phone.publish(run + "/Alice/Phone", message("{\"_type\":\"waypoint\",\"desc\":\"home\",\"lat\":1,"
                        + "\"lon\":2,\"rad\":50,\"tst\":1}"));
                phone.publish(run + "/Alice/Phone", message("{not json"));
                for (int i = 0; i < 150; i++) {
                    phone.publish(run + "/Alice/Phone", location(i));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> stored(base, secretValue) >= 20);
                bridge.kill();
                int storedAtKill = stored(base, secretValue);
                for (int i = 150; i < MESSAGES; i++) {
                    phone.publish(run + "/Alice/Phone", location(i));
                }
                try (JarProcess again = bridge(run, balancer.printedPort(), deviceSecret, "bridge-2")) {
                    await().atMost(Duration.ofSeconds(60)).until(() -> stored(base, secretValue) >= MESSAGES);
                    List<Long> times = new ArrayList<>();
                    for (JsonNode hb : history(base, secretValue)) {
                        times.add(hb.get("device_time").asLong());
                    }
                    List<Long> expected = new ArrayList<>();
                    for (int i = MESSAGES - 1; i >= 0; i--) {
                        expected.add((FIRST_TST + i) * 1000);
                    }
                    assertThat(times).as("every position once, newest first").containsExactlyElementsOf(expected);
                    System.out.printf("MqttBridgeIT: %d positions stored when the bridge was killed; all %d stored "
                            + "once after it came back%n", storedAtKill, MESSAGES);
                    assertThat(bridge.output()).contains("dropped a message").doesNotContain("ERROR");
                    assertThat(again.terminate(Duration.ofSeconds(20))).isZero();
                    assertThat(again.output()).contains("TopHat MQTT bridge stopped");
                }
            }
        }
    }

    private JarProcess bridge(String run, int balancerPort, Path deviceSecret, String name) throws Exception {
        return JarProcess.start(dir, name, "mqtt-bridge", "--broker", BROKER, "--topic", run + "/+/+",
                "--balancer", "127.0.0.1:" + balancerPort, "--client-id", run + "-bridge",
                "--device-secret-file", deviceSecret.toString())
                .awaitOutput("TopHat MQTT bridge on", Duration.ofSeconds(30));
    }

    /** The phone's side: an MQTT client publishing at QoS 1, disconnected at the end. */
    private static final class Publisher implements AutoCloseable {
        final MqttClient client;

        Publisher(String run) throws Exception {
            client = new MqttClient(BROKER, run + "-phone", new MemoryPersistence());
            MqttConnectOptions options = new MqttConnectOptions();
            options.setCleanSession(true);
            options.setMaxInflight(1000);
            client.connect(options);
        }

        @Override
        public void close() throws Exception {
            client.disconnect(2000);
            client.close();
        }
    }

    private static MqttMessage location(int i) {
        return message("{\"_type\":\"location\",\"lat\":" + (51.5 + i * 1e-4) + ",\"lon\":-0.12,\"tst\":"
                + (FIRST_TST + i) + ",\"acc\":10,\"batt\":" + (i % 100) + ",\"tid\":\"AP\"}");
    }

    private static MqttMessage message(String json) {
        MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
        m.setQos(1);
        return m;
    }

    private Path secret(String name) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, Secrets.generate() + "\n");
        return file;
    }

    private static int stored(String base, String secret) {
        try {
            return history(base, secret).size();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static List<JsonNode> history(String base, String secret) {
        HttpResponse<String> r = Http.send("GET", base + "/api/v1/producers/alice:phone/history?limit=1000", null, secret);
        if (r.statusCode() == 307) {
            r = Http.send("GET", r.headers().firstValue("location").orElseThrow(), null, secret);
        }
        if (r.statusCode() != 200) {
            throw new IllegalStateException("history answered " + r.statusCode());
        }
        try {
            List<JsonNode> out = new ArrayList<>();
            JSON.readTree(r.body()).get("heartbeats").forEach(out::add);
            return out;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
