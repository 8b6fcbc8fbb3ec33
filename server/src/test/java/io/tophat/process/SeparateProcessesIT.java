package io.tophat.process;

import io.tophat.testing.JarProcess;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The report's set-up as separate processes from the fat jar: a balancer, two workers, the producers script. */
@Timeout(180)
class SeparateProcessesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void when_a_worker_is_killed_with_sigkill_its_producers_move_to_the_other_and_consumers_get_fresh_data() throws Exception {
        try (JarProcess b = JarProcess.start(dir, "balancer", "balancer", "--host", "127.0.0.1",
                "--port", "0", "--data-dir", "balancer").awaitOutput("TopHat balancer on", Duration.ofSeconds(30));
             JarProcess w0 = worker(b.printedPort(), "worker-0");
             JarProcess w1 = worker(b.printedPort(), "worker-1");
             JarProcess producers = JarProcess.start(dir, "producers", "producers", "--balancer",
                     "127.0.0.1:" + b.printedPort(), "--start-id", "3000", "--count", "10", "--interval", "200ms",
                     "--max-retries", "-1", "--request-timeout", "1s")) {
            String balancer = "http://127.0.0.1:" + b.printedPort();
            int[] workerPorts = {w0.printedPort(), w1.printedPort()};

            await().atMost(Duration.ofSeconds(30)).until(() -> cluster(balancer).get("producers").asInt() == 10);
            await().atMost(Duration.ofSeconds(30)).until(() -> allServed(balancer));

            w0.kill();
            long killedAt = System.currentTimeMillis();
            String survivor = "127.0.0.1:" + workerPorts[1];

            await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> {
                for (int id = 3000; id < 3010; id++) {
                    HttpResponse<String> r = Http.getFollowing(balancer + "/api/v1/producers/" + id);
                    assertThat(r.statusCode()).as("producer %d", id).isEqualTo(200);
                    assertThat(r.uri().getAuthority()).isEqualTo(survivor);
                    assertThat(JSON.readTree(r.body()).get("received_at").asLong()).isGreaterThan(killedAt);
                }
            });
            System.out.printf("all 10 producers served fresh data from the surviving worker %d ms after the SIGKILL%n",
                    System.currentTimeMillis() - killedAt);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (JsonNode w : cluster(balancer).get("workers")) {
                    assertThat(w.get("alive").asBoolean()).as(w.get("id").asText())
                            .isEqualTo(w.get("id").asText().equals(survivor));
                }
            });
            assertThat(producers.alive()).isTrue();
            assertThat(producers.terminate(Duration.ofSeconds(30))).isZero();
            assertThat(producers.output()).contains("acknowledged");
            assertThat(w1.terminate(Duration.ofSeconds(30))).isZero();
            assertThat(w1.output()).contains("left the balancer");
        }
    }

    private JarProcess worker(int balancerPort, String name) throws Exception {
        return JarProcess.start(dir, name, "worker", "--host", "127.0.0.1", "--port", "0",
                "--balancer", "127.0.0.1:" + balancerPort, "--data-dir", name)
                .awaitOutput("TopHat worker on port", Duration.ofSeconds(30));
    }

    private static JsonNode cluster(String balancer) throws Exception {
        return JSON.readTree(Http.get(balancer + "/api/v1/cluster").body());
    }

    private static boolean allServed(String balancer) {
        for (int id = 3000; id < 3010; id++) {
            if (Http.getFollowing(balancer + "/get_data/" + id).statusCode() != 200) {
                return false;
            }
        }
        return true;
    }
}
