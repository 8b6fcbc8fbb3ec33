package io.tophat.store;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class UnmergedRowsTest {

    @Test
    void keeps_the_ids_above_what_is_merged_in_order_through_growth_and_pruning() {
        UnmergedRows rows = new UnmergedRows();
        for (long id = 1; id <= 10; id++) {
            rows.add(new InboxRef(id, 1000 + id, id));
        }
        assertThat(rows.jsonAfter(0)).isEqualTo("[1,2,3,4,5,6,7,8,9,10]");
        assertThat(rows.jsonAfter(7)).isEqualTo("[8,9,10]");
        assertThat(rows.dropThrough(6)).isFalse();
        for (long id = 11; id <= 40; id++) {
            rows.add(new InboxRef(id, 1000 + id, id));
        }
        assertThat(rows.jsonAfter(0)).startsWith("[7,8,9,").endsWith(",39,40]");
        assertThat(rows.jsonAfter(40)).isNull();
        assertThat(rows.dropThrough(40)).isTrue();
        assertThat(rows.jsonAfter(0)).isNull();
    }

    @Test
    void the_newest_is_never_a_retry_nor_a_row_stamped_earlier() {
        UnmergedRows rows = new UnmergedRows();
        rows.add(new InboxRef(1, 2000, 5L));
        rows.add(new InboxRef(2, 2001, 5L));
        rows.add(new InboxRef(3, 1999, 6L));
        assertThat(rows.newest().id()).isEqualTo(1);
        assertThat(rows.jsonAfter(0)).isEqualTo("[1,2,3]");
        rows.add(new InboxRef(4, 2002, 7L));
        assertThat(rows.newest().id()).isEqualTo(4);
    }
}
