package io.tophat.bench;

import io.vertx.core.http.HttpMethod;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Heartbeats for {@code POST /heartbeat}: about 200 bytes of JSON, request {@code n} from producer
 * {@code n mod producers} with {@code seq = seqBase + n}, so every heartbeat of a run is distinct (none is
 * dropped as a retry) and a later run's sequence numbers never collide with an earlier run's. The body is
 * one prepared template per connection; only the digits of the id and of seq are rewritten per request. With
 * producer tokens, each producer's heartbeats carry its own {@code Authorization: Bearer} head.
 */
public final class HeartbeatMix implements RequestMix {
    private static final int SEQ_DIGITS = 19;
    private static final List<String> TARGETS = List.of("/heartbeat");
    private static final String TEMPLATE = "{\"id\":\"%s\",\"seq\":%s,\"location\":{\"lat\":56.3398,\"lon\":-2.7967,"
            + "\"accuracy\":8.5,\"speed\":1.4},\"data\":{\"temperature\":21.5,\"humidity\":48,\"noise_db\":41.2,"
            + "\"battery\":87,\"steps\":12034,\"activity\":\"walking\",\"app\":\"tophat-bench\"}}";

    private final ProducerIds producers;
    private final long seqBase;
    private final byte[] template;
    private final int idAt;
    private final int seqAt;
    private final LongFunction<String> tokens;
    private final List<String> targets;

    /**
     * @param seqBase the first sequence number; {@link #seqBaseNow()} gives one that later runs never reuse
     */
    public HeartbeatMix(ProducerIds producers, long seqBase) {
        this(producers, seqBase, null);
    }

    /** @param tokens each producer's token from its id, or null to send none */
    public HeartbeatMix(ProducerIds producers, long seqBase, LongFunction<String> tokens) {
        if (seqBase < 1_000_000_000_000_000_000L || seqBase > 8_000_000_000_000_000_000L) {
            throw new IllegalArgumentException("seqBase must have " + SEQ_DIGITS + " digits and leave room to count");
        }
        this.producers = producers;
        this.seqBase = seqBase;
        String idMark = "I".repeat(producers.width());
        String seqMark = "S".repeat(SEQ_DIGITS);
        String text = String.format(TEMPLATE, idMark, seqMark);
        this.template = text.getBytes(StandardCharsets.US_ASCII);
        this.idAt = text.indexOf(idMark);
        this.seqAt = text.indexOf(seqMark);
        this.tokens = tokens;
        this.targets = tokens == null ? TARGETS : Collections.nCopies(producers.count(), TARGETS.get(0));
    }

    /** The producers the heartbeats go round. */
    public ProducerIds producers() {
        return producers;
    }

    /** The token of the {@code i}-th producer, or null when the mix sends none. */
    public String token(long i) {
        return tokens == null ? null : tokens.apply(producers.id(i));
    }

    /** A sequence base from the clock: a million numbers per millisecond, so runs one after the other never overlap. */
    public static long seqBaseNow() {
        return System.currentTimeMillis() * 1_000_000L;
    }

    @Override
    public HttpMethod method() {
        return HttpMethod.POST;
    }

    @Override
    public List<String> targets() {
        return targets;
    }

    @Override
    public int target(long n) {
        return tokens == null ? 0 : Math.floorMod(n, producers.count());
    }

    @Override
    public String authorization(int target) {
        return tokens == null ? null : "Bearer " + token(target);
    }

    @Override
    public String contentType() {
        return "application/json";
    }

    /** The size of every body, in bytes. */
    public int bodySize() {
        return template.length;
    }

    @Override
    public byte[] bodyTemplate() {
        return template.clone();
    }

    @Override
    public void fillBody(BodyBytes body, long n) {
        body.digits(idAt, producers.width(), producerId(n));
        body.digits(seqAt, SEQ_DIGITS, seq(n));
    }

    /** The producer id in the body of request {@code n} (sent as a JSON string of its digits). */
    public long producerId(long n) {
        return producers.id(n);
    }

    /** The {@code seq} in the body of request {@code n}: unique to that request within the run. */
    public long seq(long n) {
        return seqBase + n;
    }
}
