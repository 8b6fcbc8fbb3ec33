package io.tophat.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.bench.HeartbeatMix;
import io.tophat.bench.ProducerIds;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.testing.HeartbeatGen;
import io.tophat.testing.HeartbeatGen.GeneratedHeartbeat;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.sessions.JqwikSession;
import io.tophat.worker.HeartbeatParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The worker's per-heartbeat CPU work outside the network and the store: parsing and validating a body into a
 * {@link Heartbeat} (what {@code POST /heartbeat} does), encoding the stored record (what
 * {@code GET /api/v1/producers/{id}} does), and, as a yardstick, Jackson building a tree of the same body. The
 * bodies are either the bench's constant 200-byte heartbeat or 1,024 varied ones from the test suite's
 * generators (any JSON data, string and object locations, escapes), taken in turn.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HeartbeatPathBenchmark {
    private static final ObjectMapper TREE = new ObjectMapper();

    private static final int GENERATED = 1024;

    /** {@code bench}: the load generator's constant body; {@code generated}: the test suite's varied bodies. */
    @Param({"bench", "generated"})
    public String bodies;

    private final HeartbeatParser parser = new HeartbeatParser();
    private byte[][] body;
    private Heartbeat[] heartbeat;
    private int next;

    @Setup
    public void setUp() {
        body = bodies.equals("bench")
                ? new byte[][]{new HeartbeatMix(ProducerIds.bench(10_000), HeartbeatMix.seqBaseNow()).bodyFor(4242)}
                : generated();
        heartbeat = new Heartbeat[body.length];
        for (int i = 0; i < body.length; i++) {
            heartbeat[i] = parser.parse(body[i], "127.0.0.1", System.currentTimeMillis());
        }
    }

    private static byte[][] generated() {
        JqwikSession.start();
        try {
            Random random = new Random(20261201L);
            RandomGenerator<GeneratedHeartbeat> generator = HeartbeatGen.heartbeats().generator(1000);
            byte[][] out = new byte[GENERATED][];
            for (int i = 0; i < GENERATED; i++) {
                GeneratedHeartbeat hb = generator.next(random).value();
                out[i] = hb.body(hb.numericId() ? "35" + (1_000_000_000_000L + i) : "jmh-" + i);
            }
            return out;
        } finally {
            JqwikSession.finish();
        }
    }

    private int nextIndex() {
        int i = next;
        next = i + 1 == body.length ? 0 : i + 1;
        return i;
    }

    @Benchmark
    public Heartbeat parseAndValidate() {
        return parser.parse(body[nextIndex()], "127.0.0.1", 1_700_000_000_000L);
    }

    @Benchmark
    public byte[] encodeRecord() {
        return HeartbeatJson.encode(heartbeat[nextIndex()]);
    }

    @Benchmark
    public JsonNode jacksonTreeOfTheSameBody() throws IOException {
        return TREE.readTree(body[nextIndex()]);
    }
}
