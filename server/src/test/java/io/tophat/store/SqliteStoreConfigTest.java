package io.tophat.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(10)
class SqliteStoreConfigTest {

    @Test
    void the_defaults_are_normal_synchronous_and_four_read_connections() {
        SqliteStoreConfig config = SqliteStoreConfig.defaults(Path.of("data/heartbeats.db"));

        assertThat(config.synchronous()).isEqualTo(SqliteStoreConfig.Synchronous.NORMAL);
        assertThat(config.readConnections()).isEqualTo(4);
    }

    @Test
    void a_number_of_read_connections_out_of_range_is_refused_with_the_allowed_range() {
        SqliteStoreConfig config = SqliteStoreConfig.defaults(Path.of("x.db"));

        assertThatThrownBy(() -> config.withReadConnections(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readConnections is 0; it must be between 1 and 64");
        assertThatThrownBy(() -> config.withReadConnections(65)).isInstanceOf(IllegalArgumentException.class);
    }
}
