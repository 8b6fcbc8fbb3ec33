package io.tophat.postgres;

import io.tophat.cli.Main;
import io.tophat.testing.PgTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tophat local --store jdbc:postgresql://...} runs the whole local system on PostgreSQL: after a short run
 * the balancer's assignments and its consumer key, and every simulated producer's heartbeats, are in that
 * database's schema, and the data folder holds no SQLite file.
 */
@Timeout(60)
class LocalOnPostgresTest {
    @TempDir
    Path dir;

    @Test
    void local_keeps_the_balancer_s_state_and_the_heartbeats_in_postgresql() throws Exception {
        String schema = PgTestDatabase.schema("local-" + dir);
        try {
            StringWriter err = new StringWriter();
            int code = Main.commandLine().setErr(new PrintWriter(err)).execute("local", "--store",
                    PgTestDatabase.urlWithSchema(schema), "--data-dir", dir.toString(), "--port", "0",
                    "--worker-port", "0", "--workers", "2", "--producers", "4", "--consumers", "1",
                    "--interval", "200ms", "--duration", "1s");
            assertThat(code).as(err.toString()).isZero();
            Set<String> producers = Set.of("3000", "3001", "3002", "3003");
            assertThat(column(schema, "SELECT producer FROM assignments")).as("the balancer's assignments")
                    .isEqualTo(producers);
            assertThat(column(schema, "SELECT name FROM consumer_keys")).as("the balancer's consumer keys")
                    .containsExactly("local");
            assertThat(column(schema, "SELECT DISTINCT producer FROM heartbeats")).as("the workers' heartbeats")
                    .isEqualTo(producers);
            try (var files = Files.walk(dir)) {
                assertThat(files.map(Path::toString)).as("SQLite files in the data folder")
                        .noneMatch(f -> f.endsWith(".db") || f.endsWith(".db-wal"));
            }
        } finally {
            PgTestDatabase.drop(schema);
        }
    }

    private static Set<String> column(String schema, String query) throws Exception {
        Set<String> values = new HashSet<>();
        try (Connection c = DriverManager.getConnection(PgTestDatabase.urlWithSchema(schema));
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
