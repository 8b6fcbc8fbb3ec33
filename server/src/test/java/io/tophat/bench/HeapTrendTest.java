package io.tophat.bench;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class HeapTrendTest {
    private static final long MB = 1_000_000L;

    @Test
    void a_heap_that_wanders_within_the_margin_is_flat() {
        HeapTrend t = new HeapTrend(List.of(60 * MB, 64 * MB, 58 * MB, 70 * MB, 61 * MB, 75 * MB));
        assertThat(t.firstHalfMax()).isEqualTo(64 * MB);
        assertThat(t.secondHalfMax()).isEqualTo(75 * MB);
        assertThat(t.margin()).isEqualTo(HeapTrend.MIN_MARGIN);
        assertThat(t.flat()).isTrue();
        assertThat(t.first()).isEqualTo(60 * MB);
        assertThat(t.last()).isEqualTo(75 * MB);
        assertThat(t.min()).isEqualTo(58 * MB);
    }

    @Test
    void a_heap_that_keeps_growing_is_not_flat_and_the_margin_scales_with_the_heap() {
        assertThat(new HeapTrend(List.of(60 * MB, 70 * MB, 80 * MB, 90 * MB, 100 * MB)).flat()).isFalse();
        HeapTrend large = new HeapTrend(List.of(1000 * MB, 1000 * MB, 1090 * MB, 1100 * MB));
        assertThat(large.margin()).isEqualTo(100 * MB);
        assertThat(large.flat()).isTrue();
    }

    @Test
    void fewer_than_two_samples_show_no_trend() {
        assertThat(new HeapTrend(List.of()).flat()).isNull();
        assertThat(new HeapTrend(List.of(5 * MB)).flat()).isNull();
    }
}
