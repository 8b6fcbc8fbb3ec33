package io.tophat.postgres;

import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.Http;
import io.tophat.testing.JarProcess;
import io.tophat.testing.PgTestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database password of a worker process, given in {@code TOPHAT_STORE_PASSWORD} to one and in
 * {@code --store-password-file} to another (the machine's PostgreSQL trusts the connection and ignores it): each
 * stores a heartbeat in PostgreSQL, logging at DEBUG, and the password is in neither its output, from start to
 * exit, nor its command line ({@code /proc/PID/cmdline}, what {@code ps} shows every user).
 */
@Timeout(120)
class StorePasswordIT {
    private static final String FROM_ENVIRONMENT = "env-pw-7c1f2a9e";
    private static final String FROM_FILE = "file-pw-3b8d5e04";

    @TempDir
    Path dir;

    @Test
    void a_worker_s_database_password_is_in_neither_its_output_nor_its_command_line() throws Exception {
        String schema = PgTestDatabase.schema("password-" + dir);
        String store = PgTestDatabase.urlWithSchema(schema);
        Path passwordFile = Files.writeString(dir.resolve("store-password"), FROM_FILE + "\n");
        try (EmbeddedCluster balancer = new EmbeddedCluster(dir.resolve("cluster"), "127.0.0.1", c -> c).start(0, 0);
             JarProcess fromEnvironment = worker("worker-env", balancer, store, List.of(),
                     Map.of("TOPHAT_STORE_PASSWORD", FROM_ENVIRONMENT));
             JarProcess fromFile = worker("worker-file", balancer, store,
                     List.of("--store-password-file", passwordFile.toString()), Map.of())) {
            Map<JarProcess, String> passwords = Map.of(fromEnvironment, FROM_ENVIRONMENT, fromFile, FROM_FILE);
            for (JarProcess worker : passwords.keySet()) {
                worker.awaitOutput("TopHat worker on port", Duration.ofSeconds(60));
                HttpResponse<String> stored = Http.postJson("http://127.0.0.1:" + worker.printedPort()
                        + "/api/v1/heartbeats", "{\"id\":\"" + worker.name() + "\",\"seq\":1,"
                        + "\"location\":{\"lat\":56.34,\"lon\":-2.79},\"data\":{}}");
                assertThat(stored.statusCode()).as(worker.name() + ": " + stored.body()).isEqualTo(200);
                String cmdline = Files.readString(Path.of("/proc/" + worker.pid() + "/cmdline"),
                        StandardCharsets.UTF_8);
                assertThat(cmdline).as(worker.name() + "'s command line").contains("--store")
                        .doesNotContain(passwords.get(worker));
            }
            assertThat(storedProducers(schema)).as("heartbeats in PostgreSQL").containsExactlyInAnyOrder(
                    "worker-env", "worker-file");
            for (JarProcess worker : passwords.keySet()) {
                worker.signal("TERM");
            }
            for (JarProcess worker : passwords.keySet()) {
                assertThat(worker.waitFor(Duration.ofSeconds(30))).as(worker.name() + "'s exit code").isZero();
                String output = worker.output();
                System.out.println("[store-password] " + worker.name() + ": " + output.lines().count()
                        + " lines of output at DEBUG, start to exit, none with its password");
                assertThat(output).as(worker.name() + "'s output").contains("schema " + schema)
                        .doesNotContain(passwords.get(worker));
            }
        } finally {
            PgTestDatabase.drop(schema);
        }
    }

    private JarProcess worker(String name, EmbeddedCluster balancer, String store, List<String> more,
                              Map<String, String> environment) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("worker", "--balancer",
                balancer.balancerUri().getAuthority(), "--port", "0", "--drain-timeout", "0s",
                "--data-dir", dir.resolve(name).toString(), "--store", store));
        args.addAll(more);
        Map<String, String> env = new java.util.HashMap<>(environment);
        env.put("TOPHAT_LOG_LEVEL", "DEBUG");
        return JarProcess.start(dir, name, env, args);
    }

    private static List<String> storedProducers(String schema) throws Exception {
        List<String> producers = new java.util.ArrayList<>();
        try (Connection c = DriverManager.getConnection(PgTestDatabase.urlWithSchema(schema));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT producer FROM heartbeats")) {
            while (rs.next()) {
                producers.add(rs.getString(1));
            }
        }
        return producers;
    }
}
