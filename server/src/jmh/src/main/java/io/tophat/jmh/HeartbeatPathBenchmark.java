package io.tophat.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.bench.HeartbeatMix;
import io.tophat.bench.ProducerIds;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.worker.HeartbeatParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The worker's per-heartbeat CPU work outside the network and the store: parsing and validating a 200-byte
 * body into a {@link Heartbeat} (what {@code POST /heartbeat} does), encoding the stored record (what
 * {@code GET /api/v1/producers/{id}} does), and, as a yardstick, Jackson building a tree of the same body.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HeartbeatPathBenchmark {
    private static final ObjectMapper TREE = new ObjectMapper();

    private final HeartbeatParser parser = new HeartbeatParser();
    private byte[] body;
    private Heartbeat heartbeat;

    @Setup
    public void setUp() {
        body = new HeartbeatMix(ProducerIds.bench(10_000), HeartbeatMix.seqBaseNow()).bodyFor(4242);
        heartbeat = parser.parse(body, "127.0.0.1", System.currentTimeMillis());
    }

    @Benchmark
    public Heartbeat parseAndValidate() {
        return parser.parse(body, "127.0.0.1", 1_700_000_000_000L);
    }

    @Benchmark
    public byte[] encodeRecord() {
        return HeartbeatJson.encode(heartbeat);
    }

    @Benchmark
    public JsonNode jacksonTreeOfTheSameBody() throws IOException {
        return TREE.readTree(body);
    }
}
