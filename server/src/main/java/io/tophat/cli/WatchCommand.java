package io.tophat.cli;

import io.tophat.client.ServerStatusException;
import io.tophat.client.StreamListener;
import io.tophat.client.StreamedHeartbeat;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatException;
import io.tophat.client.Watch;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.ProducerId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** {@code tophat watch [ID...]}: follows producers live through the balancer, one line per stored heartbeat. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Follows producers live through the balancer (GET /api/v1/stream): prints each heartbeat as "
                + "it is stored, one line each, until interrupted or --count is reached. Without an ID, every "
                + "producer of the cluster. Reconnects and resumes by itself; on exit it prints on stderr the "
                + "token to resume from with --after.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:--count heartbeats were printed, or the command was interrupted",
                "2:the command line is wrong",
                "3:the balancer refused the stream (an invalid token, for example)"})
public final class WatchCommand implements java.util.concurrent.Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", arity = "0..1000", description = "Producer ids to follow (none: every producer).")
    List<String> ids = List.of();

    @Option(names = "--json", description = "Print each stored record as JSON, one per line (NDJSON).")
    boolean json;

    @Option(names = "--after", paramLabel = "TOKEN",
            description = "Start after this resume token (an event id, or the token a previous watch printed): "
                    + "what was stored since is printed first.")
    String after;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N heartbeats (default: never).")
    long count;

    @Mixin
    ConsumerOptions options;

    @Override
    public Integer call() throws InterruptedException {
        for (String id : ids) {
            String problem = ProducerId.problem(id);
            if (problem != null) {
                throw new ParameterException(spec.commandLine(), problem);
            }
        }
        if (count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        WatchRun run = new WatchRun(count, out);
        StreamListener listener = new StreamListener() {
            @Override
            public void heartbeat(StreamedHeartbeat event) {
                run.print(json ? new String(HeartbeatJson.encode(event.heartbeat()), StandardCharsets.UTF_8)
                        : ConsoleLines.heartbeat(event.heartbeat()));
            }

            @Override
            public void disconnected(TopHatException cause, Duration retryIn) {
                err.println("stream lost (" + cause.getMessage() + "); resuming in " + DurationConverter.format(retryIn));
                err.flush();
            }

            @Override
            public void incomplete(java.util.List<String> missing, String detail) {
                err.println("incomplete: no heartbeats from the stores of " + String.join(", ", missing)
                        + " until they are back; theirs come then");
                err.flush();
            }

            @Override
            public void complete() {
                err.println("complete: every store streams again");
                err.flush();
            }

            @Override
            public void failed(TopHatException cause) {
                run.failed(cause);
            }
        };
        TopHatConsumer consumer = options.consumer();
        Watch watch = ids.isEmpty() ? consumer.watchAll(after, listener)
                : ids.size() == 1 ? consumer.watch(ids.get(0), after, listener)
                : consumer.watch(ids, after, listener);
        TopHatException failed = run.await(watch, w -> printResume(err, w));
        if (failed != null) {
            err.println(failed instanceof ServerStatusException s ? options.describe(s) : failed.getMessage());
            return 3;
        }
        printResume(err, watch);
        return 0;
    }

    private static void printResume(PrintWriter err, Watch watch) {
        if (watch.token() != null) {
            err.println("resume with --after " + watch.token());
            err.flush();
        }
    }
}
