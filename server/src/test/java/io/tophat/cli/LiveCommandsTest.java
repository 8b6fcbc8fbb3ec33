package io.tophat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code tophat watch}, {@code near} and {@code area} against a real balancer and two workers, run in-process as
 * a user runs them: what they print, on which stream, and their exit codes.
 */
@Timeout(90)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private EmbeddedCluster cluster;
    private String balancer;

    @BeforeAll
    void start() {
        cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 2);
        balancer = "127.0.0.1:" + cluster.balancerUri().getPort();
    }

    @AfterAll
    void stop() {
        cluster.close();
    }

    /** One command's exit code and what it printed. */
    private record Run(int code, String out, String err) {
    }

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--balancer";
        all[args.length + 1] = balancer;
        int code = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    private CompletableFuture<Run> runInBackground(String... args) {
        return CompletableFuture.supplyAsync(() -> run(args));
    }

    private String register(String id) {
        return Http.get(cluster.balancerUri() + "/register/" + id).body().strip();
    }

    private static void send(String worker, String id, long seq, double lat, double lon) {
        HttpResponse<String> r = Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"" + id + "\",\"seq\":" + seq
                + ",\"location\":{\"lat\":" + lat + ",\"lon\":" + lon + "},\"data\":{\"n\":" + seq + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void watch_prints_each_heartbeat_and_the_token_that_resumes_after_the_last() throws Exception {
        String w1 = register("cli-a");
        String w2 = register("cli-b");
        CompletableFuture<Run> watching = runInBackground("watch", "cli-a", "cli-b", "--json", "--count", "3");
        Thread.sleep(1500); // both workers' streams started
        send(w1, "cli-a", 1, 10, 20);
        send(w2, "cli-b", 1, 10, 20);
        send(w1, "cli-a", 2, 10, 20);
        Run first = watching.get(20, TimeUnit.SECONDS);
        assertThat(first.code()).as(first.err()).isZero();
        List<String> lines = first.out().lines().toList();
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            JsonNode record = JSON.readTree(line);
            assertThat(record.path("producer").asText()).isIn("cli-a", "cli-b");
            assertThat(record.path("data").path("n").asLong()).isEqualTo(record.path("seq").asLong());
        }
        String token = first.err().lines().filter(l -> l.startsWith("resume with --after ")).findFirst().orElseThrow()
                .substring("resume with --after ".length());

        send(w1, "cli-a", 3, -33.86, 151.21);
        Run resumed = run("watch", "cli-a", "cli-b", "--after", token, "--count", "1");
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(resumed.out().strip()).contains("  cli-a  -33.860000,151.210000  {\"n\":3}");

        Run refused = run("watch", "cli-a", "--after", "not-a-token");
        assertThat(refused.code()).isEqualTo(3);
        assertThat(refused.err()).contains("400").contains("invalid resume token");
        assertThat(run("watch", "bad id").code()).isEqualTo(2);
    }

    @Test
    void near_prints_the_producers_nearest_first_and_says_what_is_wrong_with_a_query() throws Exception {
        send(register("cli-n1"), "cli-n1", 1, -33.8600, 151.2100);
        send(register("cli-n2"), "cli-n2", 1, -33.8700, 151.2100);
        Run near = run("near", "-33.86", "151.21", "5000");
        assertThat(near.code()).as(near.err()).isZero();
        List<String> lines = near.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("cli-n1  0.0 m  -33.860000,151.210000");
        assertThat(lines.get(1)).startsWith("cli-n2  1112.");
        Run json = run("near", "-33.86", "151.21", "5000", "--json", "--limit", "1");
        assertThat(JSON.readTree(json.out().strip()).path("producer").asText()).isEqualTo("cli-n1");
        Run wrong = run("near", "91", "0", "5");
        assertThat(wrong.code()).isEqualTo(3);
        assertThat(wrong.err()).contains("400").contains("invalid lat");
        assertThat(run("near", "north", "0", "5").code()).isEqualTo(2);
    }

    @Test
    void area_commands_define_list_show_watch_and_remove_an_area() throws Exception {
        String worker = register("cli-walker");
        send(worker, "cli-walker", 1, 56.3400, -2.7960);
        Run added = run("area", "add", "pier", "--circle", "56.34,-2.796,150");
        assertThat(added.code()).as(added.err()).isZero();
        assertThat(added.out()).contains("area pier created");
        assertThat(run("area", "add", "pier", "--circle", "56.34,-2.796,150").out()).contains("exists already");
        Run taken = run("area", "add", "pier", "--circle", "0,0,10");
        assertThat(taken.code()).isEqualTo(1);
        assertThat(taken.err()).contains("409").contains("area exists");
        assertThat(run("area", "add", "pier", "--circle", "1,2").code()).isEqualTo(2);
        assertThat(run("area", "list").out()).contains("pier  circle  56.340000,-2.796000  150.0 m");
        Run show = run("area", "show", "pier");
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("1 inside").contains("cli-walker  56.340000,-2.796000");

        CompletableFuture<Run> watching = runInBackground("area", "watch", "pier", "--count", "2");
        Thread.sleep(1000);
        send(worker, "cli-walker", 2, 56.3500, -2.7960);
        send(worker, "cli-walker", 3, 56.3401, -2.7961);
        Run events = watching.get(20, TimeUnit.SECONDS);
        assertThat(events.code()).as(events.err()).isZero();
        List<String> lines = events.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("  LEAVE  cli-walker  56.350000,-2.796000");
        assertThat(lines.get(1)).contains("  ENTER  cli-walker  56.340100,-2.796100");

        assertThat(run("area", "remove", "pier").out()).contains("area pier removed");
        assertThat(run("area", "remove", "pier").code()).isEqualTo(1);
        assertThat(run("area", "show", "pier").code()).isEqualTo(1);
        assertThat(run("area", "watch", "pier").code()).isEqualTo(1);
    }
}
