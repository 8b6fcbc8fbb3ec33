package io.tophat.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tophat.security.Secrets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code tophat keys add|list|revoke}: the cluster's consumer keys, managed with the cluster secret. */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Makes, lists and revokes consumer keys (/api/v1/keys), with the cluster secret.",
        subcommands = {KeysCommand.Add.class, KeysCommand.ListKeys.class, KeysCommand.Revoke.class},
        exitCodeListHeading = "%nExit codes (every subcommand):%n",
        exitCodeList = {"0:done", "1:the key is unknown (revoke)", "2:the command line is wrong",
                "3:the balancer could not be reached or refused the request"})
final class KeysCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the balancer is and the secret that lets an operator in. */
    static final class Admin {
        @Option(names = "--balancer", paramLabel = "HOST:PORT", defaultValue = "localhost:5000",
                converter = HostPortConverter.class, description = "The balancer's address (default: ${DEFAULT-VALUE}).")
        URI balancer;

        @Option(names = "--cluster-secret-file", paramLabel = "FILE",
                description = "The cluster secret (its first line); else env " + SecurityOptions.CLUSTER_SECRET_ENV + ".")
        Path clusterSecretFile;

        @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
                description = "How long to wait to connect and for the answer (default: ${DEFAULT-VALUE}).")
        Duration timeout;

        @picocli.CommandLine.Mixin

        CaOption trust = new CaOption();
    }

    private abstract static class Call implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        Admin admin = new Admin();

        abstract HttpRequest.Builder request(URI base) throws IOException;

        abstract int answered(HttpResponse<String> response, PrintWriter out, PrintWriter err) throws IOException;

        @Override
        public Integer call() throws Exception {
            Secrets secret;
            try {
                secret = SecurityOptions.secrets(admin.clusterSecretFile, "--cluster-secret-file",
                        SecurityOptions.CLUSTER_SECRET_ENV);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (secret == null) {
                throw new ParameterException(spec.commandLine(), "pass --cluster-secret-file FILE (or set "
                        + SecurityOptions.CLUSTER_SECRET_ENV + ")");
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            HttpClient http;
            try {
                http = io.tophat.client.TopHatHttpClients.create(admin.timeout, admin.trust.ca);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request(admin.balancer).timeout(admin.timeout)
                        .header("Authorization", "Bearer " + secret.current()).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                err.println("cannot reach the balancer at " + admin.balancer + " (" + e.getClass().getSimpleName() + ")");
                return 3;
            }
            int code = response.statusCode() / 100 == 2 ? answered(response, out, err)
                    : refused(response, err);
            out.flush();
            err.flush();
            return code;
        }

        int refused(HttpResponse<String> response, PrintWriter err) {
            String detail = response.body();
            try {
                JsonNode error = JSON.readTree(response.body());
                detail = error.path("error").asText() + (error.hasNonNull("detail") ? ": " + error.path("detail").asText() : "");
            } catch (IOException notJson) {
                // the body as it came
            }
            err.println("the balancer answered " + response.statusCode() + ": " + detail);
            return response.statusCode() == 404 ? 1 : 3;
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Makes a key (or replaces the one of that name) and prints it on stdout, once: it is kept "
                    + "nowhere. Without --producers and --prefixes it reaches every producer.")
    static final class Add extends Call {
        @Parameters(index = "0", paramLabel = "NAME", description = "The key's name: 1 to 64 of A-Z a-z 0-9 . _ -")
        String name;

        @Option(names = "--producers", paramLabel = "ID", split = ",", description = "Producer ids the key reaches.")
        List<String> producers = List.of();

        @Option(names = "--prefixes", paramLabel = "PREFIX", split = ",", description = "Id prefixes the key reaches.")
        List<String> prefixes = List.of();

        @Option(names = "--ops", paramLabel = "OP", split = ",",
                description = "What it may do, of read, stream, near, export, erase (default: read,stream,near).")
        List<String> ops = List.of();

        @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = io.tophat.security.KeyScope.DEFAULT_RATE,
                description = "Requests a second it may make at each server, bursts of twice that; 0 for no limit "
                        + "(default: ${DEFAULT-VALUE}).")
        double rate;

        @Override
        HttpRequest.Builder request(URI base) throws IOException {
            ObjectNode body = JSON.createObjectNode().put("name", name).put("rate", rate);
            producers.forEach(body.putArray("producers")::add);
            prefixes.forEach(body.putArray("prefixes")::add);
            ops.forEach(body.putArray("ops")::add);
            return HttpRequest.newBuilder(base.resolve("/api/v1/keys")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        }

        @Override
        int answered(HttpResponse<String> response, PrintWriter out, PrintWriter err) throws IOException {
            JsonNode made = JSON.readTree(response.body());
            out.println(made.path("key").asText());
            err.println((made.path("replaced").asBoolean() ? "replaced" : "made") + " key '" + name + "': ops "
                    + made.path("ops") + (made.path("producers").isEmpty() && made.path("prefixes").isEmpty()
                    ? ", every producer" : ", producers " + made.path("producers") + ", prefixes " + made.path("prefixes"))
                    + "; the workers take it within one lease interval");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the keys (names and scopes, never a key).")
    static final class ListKeys extends Call {
        @Override
        HttpRequest.Builder request(URI base) {
            return HttpRequest.newBuilder(base.resolve("/api/v1/keys")).GET();
        }

        @Override
        int answered(HttpResponse<String> response, PrintWriter out, PrintWriter err) throws IOException {
            for (JsonNode k : JSON.readTree(response.body()).path("items")) {
                out.println(k.path("name").asText() + "\tops=" + String.join(",", texts(k.path("ops")))
                        + "\tproducers=" + (k.path("producers").isEmpty() && k.path("prefixes").isEmpty() ? "*"
                        : String.join(",", texts(k.path("producers")))
                        + (k.path("prefixes").isEmpty() ? "" : " prefixes=" + String.join(",", texts(k.path("prefixes")))))
                        + "\trate=" + k.path("rate").asText());
            }
            return 0;
        }

        private static List<String> texts(JsonNode array) {
            List<String> out = new java.util.ArrayList<>();
            array.forEach(n -> out.add(n.asText()));
            return out;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revokes a key: refused by the balancer at once, by every worker within one lease interval.")
    static final class Revoke extends Call {
        @Parameters(index = "0", paramLabel = "NAME", description = "The key's name.")
        String name;

        @Override
        HttpRequest.Builder request(URI base) {
            return HttpRequest.newBuilder(base.resolve("/api/v1/keys/" + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                    .DELETE();
        }

        @Override
        int answered(HttpResponse<String> response, PrintWriter out, PrintWriter err) {
            err.println("revoked key '" + name + "'");
            return 0;
        }
    }
}
