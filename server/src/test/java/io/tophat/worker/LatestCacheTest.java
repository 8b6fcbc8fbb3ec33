package io.tophat.worker;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class LatestCacheTest {

    private static Heartbeat beat(String id, long at) {
        return new Heartbeat(id, new Location(56.34, -2.79, 12.5, 4.0, 1.5, 270.0, null),
                "{\"battery\":87,\"note\":\"caf\u00e9\"}", "10.0.0.7", at, 1_700_000_000_000L, 42L);
    }

    @Test
    void a_heartbeat_comes_back_exactly_as_it_was_packed() {
        LatestCache cache = new LatestCache(10);
        Heartbeat hb = beat("3000", 1000);
        cache.offer("3000", hb);
        assertThat(cache.get("3000")).isEqualTo(hb);
        Heartbeat labelled = new Heartbeat("x", Location.label("the library, 2nd floor"), "[1,2]", "::1", 5, null, null);
        cache.offer("x", labelled);
        assertThat(cache.get("x")).isEqualTo(labelled);
    }

    @Test
    void the_data_slice_is_the_data_json_text() {
        LatestCache cache = new LatestCache(10);
        cache.offer("3000", beat("3000", 1000));
        byte[] record = cache.record("3000");
        byte[] data = Arrays.copyOfRange(record, CompactRecord.dataOffset(record), record.length);
        assertThat(new String(data, StandardCharsets.UTF_8)).isEqualTo("{\"battery\":87,\"note\":\"caf\u00e9\"}");
    }

    @Test
    void an_older_heartbeat_does_not_replace_a_newer_one() {
        LatestCache cache = new LatestCache(10);
        cache.offer("3000", beat("3000", 2000));
        cache.offer("3000", beat("3000", 1000));
        assertThat(cache.get("3000").receivedAt()).isEqualTo(2000);
    }

    @Test
    void a_heartbeat_resent_with_its_device_time_does_not_replace_a_newer_latest() {
        LatestCache cache = new LatestCache(10);
        cache.offer("p", new Heartbeat("p", Location.of(1, 2), "{\"n\":4}", "10.0.0.7", 2000, 1900L, 4L));
        Heartbeat fifth = new Heartbeat("p", Location.of(1, 2), "{\"n\":5}", "10.0.0.7", 3000, 2900L, 5L);
        cache.offer("p", fifth);
        cache.offer("p", new Heartbeat("p", Location.of(1, 2), "{\"n\":4}", "10.0.0.8", 3500, 1900L, 4L));
        assertThat(cache.get("p")).isEqualTo(fifth);
        cache.offer("p", new Heartbeat("p", Location.of(1, 2), "{\"n\":6}", "10.0.0.7", 4000, 3900L, 6L));
        assertThat(cache.get("p").data()).isEqualTo("{\"n\":6}");
    }

    @Test
    void the_cache_never_holds_more_than_its_capacity() {
        LatestCache cache = new LatestCache(100);
        for (int i = 0; i < 10_000; i++) {
            cache.offer("p" + i, beat("p" + i, i));
            assertThat(cache.size()).isLessThanOrEqualTo(100);
        }
        assertThat(cache.get("p9999")).isNotNull();
    }

    @Test
    void evicting_the_older_half_keeps_the_newest() {
        LatestCache cache = new LatestCache(100);
        for (int i = 0; i < 100; i++) {
            cache.offer("p" + i, beat("p" + i, i));
        }
        cache.evictOlderHalf();
        assertThat(cache.size()).isEqualTo(50);
        assertThat(cache.get("p99")).isNotNull();
        assertThat(cache.get("p0")).isNull();
    }

    private static Heartbeat timed(long receivedAt, Long deviceTime, Long seq, String data) {
        return new Heartbeat("p", Location.of(1, 2), data, "10.0.0.1", receivedAt, deviceTime, seq);
    }

    @Test
    void the_cached_latest_follows_the_heartbeat_s_time_and_no_seq_freezes_it() {
        LatestCache cache = new LatestCache(10);
        cache.offer("p", timed(1_000, 900L, 1L, "\"newer\""));
        cache.offer("p", timed(2_000, 500L, 2L, "\"older, sent late\""));
        assertThat(cache.get("p").data()).isEqualTo("\"newer\"");

        cache.offer("q", timed(1_000, null, Long.MAX_VALUE, "\"claimed\""));
        cache.offer("q", timed(2_000, null, 1L, "\"real\""));
        assertThat(cache.get("q").data()).isEqualTo("\"real\"");

        cache.offer("r", timed(1_000, null, 5L, "\"first\""));
        cache.offer("r", timed(3_000, null, 5L, "\"retry of it\""));
        assertThat(cache.get("r").data()).isEqualTo("\"first\"");
    }
}
