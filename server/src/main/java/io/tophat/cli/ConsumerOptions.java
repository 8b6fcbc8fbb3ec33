package io.tophat.cli;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.ServerStatusException;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.UnreachableException;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;

/** The flags of the consumer commands that talk to a balancer: where it is and how long to wait for it. */
final class ConsumerOptions {
    @Option(names = "--balancer", paramLabel = "HOST:PORT", defaultValue = "localhost:5000", converter = HostPortConverter.class,
            description = "The balancer's address (default: ${DEFAULT-VALUE}).")
    URI balancer;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "How long to wait to connect and for each answer to start (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @picocli.CommandLine.Mixin

    CaOption trust = new CaOption();

    @picocli.CommandLine.Mixin
    KeyOptions key = new KeyOptions();

    TopHatConsumer consumer() {
        return new TopHatConsumer(ConsumerConfig.of(balancer).withTimeouts(timeout, timeout).withKey(key.key())
                .withCa(trust.ca));
    }

    /** One line for an answer the command cannot use. */
    String describe(ServerStatusException e) {
        return e.uri().getPath() + " answered " + e.status() + (e.serverMessage().isEmpty() ? "" : ": " + e.serverMessage());
    }

    String describe(UnreachableException e) {
        return "cannot reach the balancer at " + balancer + " ("
                + (e.timedOut() ? "no answer within " + DurationConverter.format(timeout) : e.reason()) + ")";
    }
}
