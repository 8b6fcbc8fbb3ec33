package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.Location;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract on SQLite, and what is SQLite's own: files, folders, identities as UUIDs. */
class SqliteHeartbeatStoreTest extends HeartbeatStoreContract {

    @Override
    protected HeartbeatStore open(Path dir) {
        return SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(dir.resolve("heartbeats.db")));
    }

    @Test
    void identity_is_a_random_uuid_made_once_per_database() {
        String identity = store.identity();

        assertThat(UUID.fromString(identity).version()).isEqualTo(4);
        assertThat(identity).isEqualTo(identity.toLowerCase());
    }

    @Test
    void a_file_reopened_with_other_settings_keeps_everything() {
        Heartbeat first = new Heartbeat("p1", Location.of(1, 2), "{\"n\":1}", "10.0.0.7", 100, null, 1L);
        store.append(List.of(first));
        store.close();

        store = SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(dir.resolve("heartbeats.db"))
                .withSynchronous(SqliteStoreConfig.Synchronous.FULL).withReadConnections(1));

        assertThat(store.latest("p1")).contains(first);
    }

    @Test
    void open_creates_missing_folders() {
        Path file = dir.resolve("a/b/c/heartbeats.db");

        try (SqliteHeartbeatStore nested = SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(file))) {
            nested.append(List.of(new Heartbeat("p1", Location.of(1, 2), "1", "10.0.0.7", 1, null, null)));
        }

        assertThat(file).isRegularFile();
    }

    @Test
    void opening_a_folder_fails_with_a_message_that_names_it_and_says_what_to_give() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("data"));

        assertThatThrownBy(() -> SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(folder)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(folder.toString())
                .hasMessageContaining("is a folder")
                .hasMessageContaining("path of a database file");
    }

    @Test
    void opening_a_file_that_is_not_a_database_fails_with_a_message_that_names_it() throws Exception {
        Path notes = Files.writeString(dir.resolve("notes.txt"),
                "These are my notes, not a database. ".repeat(50));

        assertThatThrownBy(() -> SqliteHeartbeatStore.open(SqliteStoreConfig.defaults(notes)))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(notes.toString())
                .hasMessageContaining("not a SQLite database");
        assertThat(Files.readString(notes)).startsWith("These are my notes");
    }
}
