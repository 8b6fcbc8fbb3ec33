package io.tophat.bench;

import io.vertx.core.http.HttpMethod;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Traccar Client's newest request, {@code POST /osmand} with a urlencoded form, for {@code bench osmand}: request
 * {@code n} is producer {@code n mod producers}'s, with a millisecond timestamp that grows by one for each round of
 * the producers, so every position of a run is distinct (none is a resend the worker drops) and runs a few seconds
 * apart never repeat one. Only the id's and the timestamp's digits are rewritten per request.
 */
final class OsmAndMix implements RequestMix {
    private static final int TIME_DIGITS = 13;
    private static final List<String> TARGETS = List.of("/osmand");
    private static final String TEMPLATE = "id=%s&lat=56.3398&lon=-2.7967&timestamp=%s&speed=2.7&bearing=90"
            + "&altitude=21&accuracy=8.5&batt=87&charge=false";

    private final ProducerIds producers;
    private final long firstTime;
    private final byte[] template;
    private final int idAt;
    private final int timeAt;

    /** @param firstTime the first timestamp, epoch milliseconds (13 digits): an hour ago suits every worker's clock */
    OsmAndMix(ProducerIds producers, long firstTime) {
        if (Long.toString(firstTime).length() != TIME_DIGITS) {
            throw new IllegalArgumentException("the first timestamp must have " + TIME_DIGITS + " digits");
        }
        this.producers = producers;
        this.firstTime = firstTime;
        String idMark = "I".repeat(producers.width());
        String timeMark = "T".repeat(TIME_DIGITS);
        String text = String.format(TEMPLATE, idMark, timeMark);
        this.template = text.getBytes(StandardCharsets.US_ASCII);
        this.idAt = text.indexOf(idMark);
        this.timeAt = text.indexOf(timeMark);
    }

    @Override
    public HttpMethod method() {
        return HttpMethod.POST;
    }

    @Override
    public List<String> targets() {
        return TARGETS;
    }

    @Override
    public int target(long n) {
        return 0;
    }

    @Override
    public String contentType() {
        return "application/x-www-form-urlencoded";
    }

    int bodySize() {
        return template.length;
    }

    @Override
    public byte[] bodyTemplate() {
        return template.clone();
    }

    @Override
    public void fillBody(BodyBytes body, long n) {
        body.digits(idAt, producers.width(), producers.id(n));
        body.digits(timeAt, TIME_DIGITS, firstTime + n / producers.count());
    }
}
