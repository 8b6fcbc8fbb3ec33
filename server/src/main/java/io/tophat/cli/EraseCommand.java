package io.tophat.cli;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.Erasure;
import io.tophat.client.ServerStatusException;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.UnreachableException;
import io.tophat.protocol.ProducerId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code tophat erase ID}: erases a producer's data everywhere, through the balancer. */
@Command(name = "erase", mixinStandardHelpOptions = true,
        description = "Erases a producer everywhere (DELETE /api/v1/producers/{id} on the balancer): every worker's "
                + "store that held it, the workers' caches and its assignment; prints what was deleted per store.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:erased everywhere",
                "1:the producer is unknown",
                "2:the command line is wrong",
                "3:a store could not be reached (what was erased elsewhere stays erased; run it again), or the "
                        + "balancer could not be reached"})
public final class EraseCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The producer's id.")
    String id;

    @Option(names = "--balancer", paramLabel = "HOST:PORT", defaultValue = "localhost:5000", converter = HostPortConverter.class,
            description = "The balancer's address (default: ${DEFAULT-VALUE}).")
    URI balancer;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait to connect and for the answer (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @picocli.CommandLine.Mixin
    KeyOptions key = new KeyOptions();

    @Override
    public Integer call() throws InterruptedException {
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            Erasure erasure = new TopHatConsumer(ConsumerConfig.of(balancer).withTimeouts(timeout, timeout)
                    .withKey(key.key())).erase(id);
            erasure.erased().forEach((store, n) -> out.println("store " + store + ": " + n + " heartbeats erased"));
            out.println("producer " + id + " erased: " + erasure.total() + " heartbeats");
            out.flush();
            return 0;
        } catch (ServerStatusException e) {
            err.println("the balancer answered " + e.status() + " for producer " + id
                    + (e.serverMessage().isEmpty() ? "" : ": " + e.serverMessage()));
            return e.status() == 404 ? 1 : 3;
        } catch (UnreachableException e) {
            err.println("cannot reach the balancer at " + balancer + " (" + (e.timedOut() ? "no answer in time" : e.reason()) + ")");
            return 3;
        }
    }
}
