package io.tophat.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Producers whose heartbeats went to three worker processes in turn (one drained, one SIGKILLed, both started
 * again on their data): their history through the balancer holds every acknowledged heartbeat exactly once, in
 * time order, across pages of several sizes; with one of those workers killed the answer says it is incomplete
 * and names it. Figures on lines starting with {@code [history-it]}.
 */
@Timeout(180)
class HistoryIT {
    private static final Duration LEASE = Duration.ofMillis(500);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void history_through_the_balancer_is_complete_exactly_once_and_ordered_after_a_drain_and_a_kill(TestInfo test)
            throws Exception {
        Path dir = ProcessCluster.freshFolder("history-it", test);
        try (ProcessCluster cluster = ProcessCluster.start(dir, 3, LEASE, Duration.ofSeconds(5))) {
            ProducerLoad load = ProducerLoad.start(cluster.balancerUri(), "hi", 6, Duration.ofMillis(40));
            try {
                load.awaitAllAcknowledgedAfter(Long.MIN_VALUE, Duration.ofSeconds(30));
                Thread.sleep(500); // each phase stores a dozen heartbeats per producer
                int drained = indexOf(cluster, load.phone("hi0").ackWorker);
                HttpResponse<String> drain = cluster.balancerRequest("POST", "/api/v1/workers/"
                        + cluster.workerId(drained) + "/drain", null);
                assertThat(drain.statusCode()).as(drain.body()).isEqualTo(200);
                assertThat(cluster.worker(drained).waitFor(Duration.ofSeconds(30))).as("drained worker's exit").isZero();
                long afterDrain = System.nanoTime();
                load.awaitAllAcknowledgedAfter(afterDrain, Duration.ofSeconds(15));
                Thread.sleep(500);

                int killed = indexOf(cluster, load.phone("hi0").ackWorker);
                assertThat(killed).isNotEqualTo(drained);
                cluster.worker(killed).kill();
                long afterKill = System.nanoTime();
                load.awaitAllAcknowledgedAfter(afterKill, Duration.ofSeconds(15));
                Thread.sleep(500);
                load.stop();

                cluster.relaunchWorkers(drained, killed);
                Thread.sleep(3 * LEASE.toMillis());

                Map<String, Set<Long>> acknowledged = load.acknowledged();
                long total = 0;
                int stores = 0;
                for (String id : load.ids()) {
                    List<Long> expected = new ArrayList<>(acknowledged.get(id));
                    total += expected.size();
                    for (int size : new int[]{1000, 97, 13}) {
                        List<JsonNode> records = all(cluster, id, size);
                        List<Long> seqs = records.stream().map(r -> r.path("seq").asLong()).toList();
                        assertThat(seqs).as("%s in pages of %d", id, size).doesNotHaveDuplicates();
                        assertThat(new HashSet<>(seqs)).as("%s in pages of %d", id, size)
                                .containsAll(expected).hasSize(expected.size());
                        for (int i = 1; i < records.size(); i++) {
                            assertThat(records.get(i - 1).path("time").asLong())
                                    .isGreaterThanOrEqualTo(records.get(i).path("time").asLong());
                        }
                    }
                }
                JsonNode before = page(cluster, "hi0", 1000);
                assertThat(before.path("complete").asBoolean()).isTrue();

                cluster.worker(drained).kill();
                JsonNode partial = page(cluster, "hi0", 1000);
                System.out.println("[history-it] " + load.ids().size() + " producers, " + total
                        + " acknowledged heartbeats over 3 workers (one drained, one SIGKILLed, both restarted): "
                        + "every one in the balancer's history once, in order, in pages of 1000, 97 and 13; with "
                        + cluster.workerId(drained) + " killed: complete=" + partial.path("complete").asBoolean()
                        + ", missing=" + partial.path("missing"));
                assertThat(partial.path("complete").asBoolean()).isFalse();
                assertThat(partial.path("missing")).extracting(JsonNode::asText).containsExactly(cluster.workerId(drained));
            } finally {
                load.stop();
            }
        }
    }

    private static int indexOf(ProcessCluster cluster, String workerUrl) {
        for (int i = 0; i < cluster.workerCount(); i++) {
            if (cluster.workerUrl(i).equals(workerUrl)) {
                return i;
            }
        }
        throw new AssertionError("no worker at " + workerUrl);
    }

    private static JsonNode page(ProcessCluster cluster, String id, int limit) throws Exception {
        return page(cluster, id, limit, null);
    }

    private static JsonNode page(ProcessCluster cluster, String id, int limit, String cursor) throws Exception {
        HttpResponse<String> r = cluster.balancerRequest("GET", "/api/v1/producers/" + id + "/history?limit=" + limit
                + (cursor == null ? "" : "&cursor=" + cursor), null);
        if (r.statusCode() == 307) {
            r = ProcessCluster.send("GET", java.net.URI.create(r.headers().firstValue("location").orElseThrow()), null);
        }
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static List<JsonNode> all(ProcessCluster cluster, String id, int limit) throws Exception {
        List<JsonNode> records = new ArrayList<>();
        String cursor = null;
        for (int guard = 0; guard < 10_000; guard++) {
            JsonNode page = page(cluster, id, limit, cursor);
            assertThat(page.path("complete").asBoolean()).as(page.path("missing").toString()).isTrue();
            page.path("heartbeats").forEach(records::add);
            if (page.path("next").isNull()) {
                return records;
            }
            cursor = page.path("next").asText();
        }
        throw new AssertionError("no end of pages");
    }
}
