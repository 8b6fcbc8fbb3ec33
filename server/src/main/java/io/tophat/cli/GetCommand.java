package io.tophat.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.client.ConsumerConfig;
import io.tophat.client.ServerStatusException;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatException;
import io.tophat.client.UnreachableException;
import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.ProducerId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code tophat get ID}: one consumer request, printing the producer's latest full record. */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Asks the balancer for one producer's latest heartbeat (GET /api/v1/producers/{id}, following "
                + "the redirect to its worker) and prints the full record as JSON.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the record was printed",
                "1:the producer is unknown, or has sent no heartbeat yet",
                "2:the command line is wrong",
                "3:the balancer or the worker could not be reached, or answered with an error"})
public final class GetCommand implements Callable<Integer> {
    static final int UNKNOWN = 1;
    static final int UNREACHABLE = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The producer's id, for example 3000 or a 15-digit IMEI.")
    String id;

    @Option(names = "--balancer", paramLabel = "HOST:PORT", defaultValue = "localhost:5000", converter = HostPortConverter.class,
            description = "The balancer's address (default: ${DEFAULT-VALUE}).")
    URI balancer;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How long to wait to connect and for each answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @picocli.CommandLine.Mixin
    KeyOptions key = new KeyOptions();

    @Override
    public Integer call() throws InterruptedException {
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        PrintWriter err = spec.commandLine().getErr();
        TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(balancer).withTimeouts(timeout, timeout)
                .withKey(key.key()));
        try {
            Optional<Heartbeat> latest = consumer.latest(id);
            if (latest.isEmpty()) {
                err.println("producer " + id + " is unknown to the balancer at " + balancer + " (or has sent no heartbeat yet)");
                return UNKNOWN;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(pretty(latest.get()));
            out.flush();
            return 0;
        } catch (UnreachableException e) {
            err.println(describe(e));
            return UNREACHABLE;
        } catch (ServerStatusException e) {
            err.println(describe(e));
            return UNREACHABLE;
        } catch (TopHatException e) {
            err.println(e.getMessage());
            return UNREACHABLE;
        }
    }

    private String describe(UnreachableException e) {
        String what = isBalancer(e.uri()) ? "the balancer at " + balancer : "the worker at " + origin(e.uri()) + " that holds producer " + id;
        String why = e.timedOut() ? "no answer within " + DurationConverter.format(timeout) : e.reason();
        return "cannot reach " + what + " (" + why + ")";
    }

    private String describe(ServerStatusException e) {
        String who = isBalancer(e.uri()) ? "the balancer at " + balancer : "the worker at " + origin(e.uri());
        String retry = e.retryAfter().map(d -> ", retry after " + DurationConverter.format(d)).orElse("");
        String message = e.serverMessage().isEmpty() ? "" : ": " + e.serverMessage();
        return who + " answered " + e.status() + " for producer " + id + message + retry;
    }

    private boolean isBalancer(URI uri) {
        return origin(uri).equals(balancer.toString());
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }

    private static String pretty(Heartbeat heartbeat) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(HeartbeatJson.encode(heartbeat)));
        } catch (IOException e) {
            throw new TopHatException("the record cannot be printed: " + e.getMessage(), e);
        }
    }
}
