package io.tophat.store;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnmergedIdsTest {

    @Test
    void keepsTheIdsAboveWhatIsMergedInOrderThroughGrowthAndPruning() {
        UnmergedIds ids = new UnmergedIds();
        for (long id = 1; id <= 10; id++) {
            ids.add(id);
        }
        assertThat(ids.jsonAfter(0)).isEqualTo("[1,2,3,4,5,6,7,8,9,10]");
        assertThat(ids.jsonAfter(7)).isEqualTo("[8,9,10]");
        assertThat(ids.dropThrough(6)).isFalse();
        for (long id = 11; id <= 40; id++) {
            ids.add(id);
        }
        assertThat(ids.jsonAfter(0)).startsWith("[7,8,9,").endsWith(",39,40]");
        assertThat(ids.jsonAfter(40)).isNull();
        assertThat(ids.dropThrough(40)).isTrue();
        assertThat(ids.jsonAfter(0)).isNull();
        ids.add(41);
        assertThat(ids.jsonAfter(0)).isEqualTo("[41]");
    }
}
