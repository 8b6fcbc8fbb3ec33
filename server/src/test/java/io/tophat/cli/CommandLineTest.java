package io.tophat.cli;

import io.tophat.balancer.BalancerConfig;
import io.tophat.worker.AckMode;
import io.tophat.worker.WorkerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The command line without starting anything: converters, defaults, and what a mistyped flag gets. */
@Timeout(30)
class CommandLineTest {

    @ParameterizedTest(name = "{0} is {1} ms")
    @CsvSource({"500ms, 500", "20s, 20000", "5m, 300000", "1h, 3600000", " 7s , 7000"})
    void durations_are_read_as_written_on_the_command_line(String text, long millis) {
        assertThat(DurationConverter.parse(text)).isEqualTo(Duration.ofMillis(millis));
        assertThat(DurationConverter.parse(DurationConverter.format(Duration.ofMillis(millis))))
                .isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void a_duration_without_a_unit_says_how_to_write_one() {
        assertThatThrownBy(() -> DurationConverter.parse("20")).isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessageContaining("500ms, 20s, 5m, 1h or 30d");
    }

    @ParameterizedTest(name = "tophat {0} exits 2 with one line naming the flag")
    @CsvSource(delimiter = '|', value = {
            "worker --balancer localhost:5000 --port abc | --port",
            "worker --balancer localhost:5000 --ack maybe | not an ack mode",
            "worker --balancer localhost:5000 --sync sometimes | not a sync mode",
            "worker --balancer localhost:5000 --flush-interval 20 | not a duration",
            "worker --port 6000 | --balancer",
            "balancer --strategy random | unknown strategy",
            "balancer --port 70000x | --port",
            "balancer --auth none --tls-cert server/pom.xml | --tls-key",
            "balancer --auth none --request-timeout 0ms | --request-timeout",
            "worker --balancer localhost:5000 --auth none --max-connections -1 | --max-connections",
            "worker --balancer localhost:5000 --auth none --ca /no/such/ca.pem | --ca",
            "get 3000 --ca /no/such/ca.pem | --ca",
            "keys list --cluster-secret-file /no/such/secret | --cluster-secret-file",
            "balancer --auth none --osmand-port 70000 | --osmand-port",
            "mqtt-bridge --broker http://localhost:1883 | --broker",
            "mqtt-bridge --topic owntracks/+ | --topic",
            "bench read --generator siege | unknown generator",
            "bench seed-test-2 --generator wrk | --generator wrk drives redirect, read, ingest and register, not seed-test-2",
            "bench memory --generator ab | --generator ab drives redirect, read and seed-test-2, not memory",
            "bench register --generator builtin | and overload, not register",
            "bench read --generator wrk --rate 100 | --rate needs --generator builtin",
            "bench ingest --generator wrk --credentials | --credentials needs --generator builtin",
            "bench read --generator wrk --duration 1500ms | whole seconds",
            "bench read --generator ab --requests 100 | --connections (256) must not exceed --requests (100)"})
    void a_mistyped_flag_exits_2_with_one_line(String args, String says) {
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setErr(new PrintWriter(err)).execute(args.trim().split(" "));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(err.toString()).contains(says).contains("--help");
    }

    @ParameterizedTest(name = "--store {0} is refused without showing the password")
    @CsvSource({"postgresql://u:secret@db/x", "u:secret@db:5432/x", "jdbc:postgresql://u:secret@db/x",
            "jdbc:postgresql://db/x?user=u&password=secret", "jdbc:postgres://db/x?password=secret&user=u"})
    void a_mistyped_store_url_is_refused_without_its_password(String url) {
        for (String command : List.of("worker --balancer localhost:5000 --auth none", "balancer --auth none",
                "local")) {
            StringWriter err = new StringWriter();
            List<String> args = new java.util.ArrayList<>(List.of(command.split(" ")));
            args.addAll(List.of("--store", url));
            int code = Main.commandLine().setErr(new PrintWriter(err)).execute(args.toArray(String[]::new));
            assertThat(code).as(command).isEqualTo(2);
            assertThat(err.toString().lines()).as(command).hasSize(1);
            assertThat(err.toString()).as(command).contains("--help").doesNotContain("secret");
        }
    }

    @Test
    void the_worker_command_s_defaults_are_the_configuration_s() {
        WorkerCommand command = new WorkerCommand();
        new CommandLine(command).parseArgs("--balancer", "localhost:5000");
        org.assertj.core.api.Assertions.assertThatThrownBy(command::config).as("secure by default")
                .hasMessageContaining("--cluster-secret-file").hasMessageContaining("--auth none");
        new CommandLine(command).parseArgs("--balancer", "localhost:5000", "--auth", "none");
        WorkerConfig config = command.config();
        WorkerConfig embedded = WorkerConfig.embedded(List.of(URI.create("http://localhost:5000")), Path.of("x"));
        assertThat(config.ingest()).isEqualTo(embedded.ingest());
        assertThat(config.membership()).isEqualTo(embedded.membership());
        assertThat(config.storage().synchronous()).isEqualTo(embedded.storage().synchronous());
        assertThat(config.ingest().ack()).isEqualTo(AckMode.DURABLE);
        assertThat(config.listen().port()).isEqualTo(WorkerConfig.Listen.DEFAULT_PORT);
        assertThat(config.storage().dataDir()).isEqualTo(Path.of("tophat-data", "worker-6000"));
    }

    @Test
    void the_balancer_command_s_defaults_are_the_configuration_s() {
        BalancerCommand command = new BalancerCommand();
        new CommandLine(command).parseArgs();
        org.assertj.core.api.Assertions.assertThatThrownBy(command::config).as("secure by default")
                .hasMessageContaining("--cluster-secret-file").hasMessageContaining("--auth none");
        new CommandLine(command).parseArgs("--auth", "none");
        BalancerConfig config = command.config();
        assertThat(config.port()).isEqualTo(BalancerConfig.DEFAULT_PORT);
        assertThat(config.strategy()).isEqualTo(BalancerConfig.Strategy.ROUND_ROBIN);
        assertThat(config.hashBalance()).isEqualTo(BalancerConfig.DEFAULT_HASH_BALANCE);
        assertThat(config.dataDir()).isEqualTo(Path.of(BalancerConfig.DEFAULT_DATA_DIR));
        assertThat(config.security().limits()).isEqualTo(io.tophat.http.HttpLimits.DEFAULT);
        assertThat(config.security().tls()).isEqualTo(io.tophat.http.TlsConfig.NONE);
    }
}
