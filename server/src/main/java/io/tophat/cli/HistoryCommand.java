package io.tophat.cli;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.ExportFormat;
import io.tophat.client.HistoryQuery;
import io.tophat.client.IncompleteHistoryException;
import io.tophat.client.ServerStatusException;
import io.tophat.client.TopHatConsumer;
import io.tophat.client.TopHatException;
import io.tophat.client.UnreachableException;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.protocol.ProducerId;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code tophat history ID}: a producer's whole history through the balancer, from every store that held it, to
 * standard output; a progress line on standard error for long exports.
 */
@Command(name = "history", mixinStandardHelpOptions = true,
        description = "Prints a producer's history through the balancer (GET /api/v1/producers/{id}/history), "
                + "from every worker's store that held it, oldest first: NDJSON records by default, or CSV, "
                + "GeoJSON, or JSON pages followed to the end.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the whole history was printed",
                "1:the producer is unknown",
                "2:the command line is wrong",
                "3:the balancer or a worker could not be reached or answered with an error, or part of the "
                        + "history is in a store no live worker can read (what was printed is incomplete)"})
public final class HistoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The producer's id.")
    String id;

    @Option(names = "--from", paramLabel = "TIME", converter = InstantConverter.class,
            description = "The first time included: milliseconds since the epoch or ISO-8601, e.g. 2026-12-01T10:00:00Z.")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", converter = InstantConverter.class,
            description = "The first time excluded (same forms as --from).")
    Instant to;

    @Option(names = "--format", defaultValue = "ndjson",
            description = "ndjson, csv, geojson, or json (one record per line, read page by page through the "
                    + "client library) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--balancer", paramLabel = "HOST:PORT", defaultValue = "localhost:5000", converter = HostPortConverter.class,
            description = "The balancer's address (default: ${DEFAULT-VALUE}).")
    URI balancer;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to wait to connect and for each answer to start (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() throws InterruptedException {
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        HistoryQuery query = new HistoryQuery(from, to, false, 10_000);
        PrintWriter err = spec.commandLine().getErr();
        TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(balancer).withTimeouts(timeout, timeout));
        OutputStream out = new BufferedOutputStream(System.out, 64 * 1024);
        Progress progress = new Progress(err);
        try {
            if (format.toLowerCase(Locale.ROOT).equals("json")) {
                long n = 0;
                for (Iterator<io.tophat.protocol.Heartbeat> it = consumer.historyIterator(id, query); it.hasNext(); n++) {
                    out.write(HeartbeatJson.encode(it.next()));
                    out.write('\n');
                    progress.records(n + 1);
                }
            } else {
                consumer.export(id, query, exportFormat(), out, progress::bytes);
            }
            out.flush();
            progress.done();
            return 0;
        } catch (ServerStatusException e) {
            err.println("the balancer or a worker answered " + e.status() + " for producer " + id
                    + (e.serverMessage().isEmpty() ? "" : ": " + e.serverMessage()));
            return e.status() == 404 ? 1 : 3;
        } catch (IncompleteHistoryException e) {
            flushQuietly(out);
            err.println(e.getMessage());
            return 3;
        } catch (UnreachableException e) {
            err.println("cannot reach " + e.uri() + " (" + (e.timedOut() ? "no answer in time" : e.reason()) + ")");
            return 3;
        } catch (TopHatException | IOException e) {
            flushQuietly(out);
            err.println("the history of " + id + " could not be read whole: " + e.getMessage());
            return 3;
        }
    }

    private ExportFormat exportFormat() {
        for (ExportFormat f : ExportFormat.values()) {
            if (f.parameter().equals(format.toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new ParameterException(spec.commandLine(), "--format must be ndjson, csv, geojson or json, not '" + format + "'");
    }

    private static void flushQuietly(OutputStream out) {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line on standard error every few seconds while a long export runs, and a last one at the end. */
    private static final class Progress {
        private static final long EVERY_NANOS = 2_000_000_000L;
        private final PrintWriter err;
        private final long started = System.nanoTime();
        private long lastLine = started;
        private String last = "";

        Progress(PrintWriter err) {
            this.err = err;
        }

        void bytes(long n) {
            report(n / 1024 + " KiB");
        }

        void records(long n) {
            report(n + " records");
        }

        private void report(String what) {
            last = what;
            long now = System.nanoTime();
            if (now - lastLine > EVERY_NANOS) {
                lastLine = now;
                err.println("history: " + what + " so far");
                err.flush();
            }
        }

        void done() {
            if (lastLine != started) {
                err.println("history: " + last + " in " + (System.nanoTime() - started) / 1_000_000 + " ms");
                err.flush();
            }
        }
    }
}
