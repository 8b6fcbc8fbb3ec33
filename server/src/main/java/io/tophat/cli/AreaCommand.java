package io.tophat.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.client.Area;
import io.tophat.client.AreaEvent;
import io.tophat.client.AreaListener;
import io.tophat.client.AreaOccupancy;
import io.tophat.client.ServerStatusException;
import io.tophat.client.TopHatException;
import io.tophat.client.UnreachableException;
import io.tophat.client.Watch;
import io.tophat.protocol.HeartbeatJson;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code tophat area add|list|show|remove|watch}: the balancer's watched areas. */
@Command(name = "area", mixinStandardHelpOptions = true,
        description = "Defines, lists, shows, removes and watches areas: places whose enter and leave events the "
                + "balancer sends (/api/v1/areas).",
        subcommands = {AreaCommand.Add.class, AreaCommand.ListAreas.class, AreaCommand.Show.class,
                AreaCommand.Remove.class, AreaCommand.WatchArea.class},
        exitCodeListHeading = "%nExit codes (every subcommand):%n",
        exitCodeList = {
                "0:done",
                "1:the area is unknown (show, remove, watch) or its name is taken by another shape (add)",
                "2:the command line is wrong",
                "3:the balancer could not be reached or refused the request"})
public final class AreaCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs one call against the balancer, turning its failures into the exit codes above. */
    private abstract static class Call implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ConsumerOptions options;

        abstract int run(PrintWriter out, PrintWriter err) throws Exception;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                int code = run(out, err);
                out.flush();
                return code;
            } catch (ServerStatusException e) {
                err.println(options.describe(e));
                return e.status() == 409 || e.status() == 404 ? 1 : 3;
            } catch (UnreachableException e) {
                err.println(options.describe(e));
                return 3;
            }
        }
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Defines an area: a circle (--circle LAT,LON,RADIUS_M) or a GeoJSON Polygon (--polygon "
                    + "FILE, - for stdin). Defining the same area again changes nothing.")
    static final class Add extends Call {
        @Parameters(index = "0", paramLabel = "NAME", description = "1 to 64 of A-Z a-z 0-9 . _ : -")
        String name;

        @ArgGroup(multiplicity = "1")
        Shape shape;

        static final class Shape {
            @Option(names = "--circle", paramLabel = "LAT,LON,RADIUS_M", split = ",",
                    description = "Centre and radius in metres, e.g. 56.34,-2.796,150.")
            List<Double> circle;

            @Option(names = "--polygon", paramLabel = "FILE",
                    description = "A GeoJSON Polygon object ({\"type\":\"Polygon\",\"coordinates\":[[[lon,lat],...]]}).")
            Path polygon;
        }

        @Override
        int run(PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
            Area area;
            if (shape.circle != null) {
                if (shape.circle.size() != 3) {
                    throw new ParameterException(spec.commandLine(), "--circle takes LAT,LON,RADIUS_M, three numbers");
                }
                area = Area.circle(name, shape.circle.get(0), shape.circle.get(1), shape.circle.get(2));
            } else {
                String text = shape.polygon.toString().equals("-")
                        ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(shape.polygon);
                try {
                    JSON.readTree(text);
                } catch (IOException e) {
                    throw new ParameterException(spec.commandLine(), shape.polygon + " is not JSON: " + e.getMessage());
                }
                area = Area.polygon(name, text.strip());
            }
            boolean created = options.consumer().addArea(area);
            out.println("area " + name + (created ? " created" : " exists already, with this shape"));
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the areas, by name.")
    static final class ListAreas extends Call {
        @Override
        int run(PrintWriter out, PrintWriter err) throws InterruptedException {
            for (Area area : options.consumer().areas()) {
                out.println(describe(area));
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Prints the area and who is inside it now: producer, position, time, worker.")
    static final class Show extends Call {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--limit", defaultValue = "1000", description = "The most producers printed, 1 to 10,000 (default: ${DEFAULT-VALUE}).")
        int limit;

        @Override
        int run(PrintWriter out, PrintWriter err) throws InterruptedException {
            Optional<AreaOccupancy> found = options.consumer().area(name, limit);
            if (found.isEmpty()) {
                err.println("no area is named " + name);
                return 1;
            }
            AreaOccupancy area = found.get();
            out.println(describe(area.area()) + "  " + area.inside().size() + " inside");
            for (AreaOccupancy.Occupant o : area.inside()) {
                out.println(o.producer() + "  " + ConsoleLines.position(o.location()) + "  " + o.time() + "  " + o.worker());
            }
            if (!area.complete()) {
                err.println("incomplete: no answer from " + String.join(", ", area.missing()));
                return 3;
            }
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Removes the area; its streams end.")
    static final class Remove extends Call {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        int run(PrintWriter out, PrintWriter err) throws InterruptedException {
            if (!options.consumer().removeArea(name)) {
                err.println("no area is named " + name);
                return 1;
            }
            out.println("area " + name + " removed");
            return 0;
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true,
            description = "Prints the area's enter and leave events as they happen (TIME  ENTER|LEAVE  PRODUCER  "
                    + "POSITION), until interrupted, --count is reached, or the area is removed. Live only: "
                    + "events while the stream was lost are not replayed.")
    static final class WatchArea extends Call {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--json", description = "Print each event as JSON: {\"event\", \"area\", \"producer\", \"heartbeat\"}.")
        boolean json;

        @Option(names = "--count", paramLabel = "N", description = "Stop after N events (default: never).")
        long count;

        @Override
        int run(PrintWriter out, PrintWriter err) throws InterruptedException {
            WatchRun run = new WatchRun(count, out);
            Watch watch = options.consumer().areaEvents(name, new AreaListener() {
                @Override
                public void event(AreaEvent event) {
                    run.print(json ? json(event) : Instant.ofEpochMilli(event.heartbeat().time()) + "  " + event.kind()
                            + "  " + event.producer() + "  " + ConsoleLines.position(event.heartbeat().location()));
                }

                @Override
                public void disconnected(TopHatException cause, Duration retryIn) {
                    err.println("stream lost (" + cause.getMessage() + "); reconnecting in "
                            + DurationConverter.format(retryIn) + "; events meanwhile are not replayed");
                    err.flush();
                }

                @Override
                public void failed(TopHatException cause) {
                    run.failed(cause);
                }
            });
            TopHatException failed = run.await(watch, w -> { });
            if (failed instanceof ServerStatusException e) {
                throw e;
            }
            if (failed != null) {
                err.println(failed.getMessage());
                return 3;
            }
            return 0;
        }

        private static String json(AreaEvent event) {
            return "{\"event\":\"" + event.kind().name().toLowerCase(Locale.ROOT) + "\",\"area\":"
                    + quoted(event.area()) + ",\"producer\":" + quoted(event.producer()) + ",\"heartbeat\":"
                    + new String(HeartbeatJson.encode(event.heartbeat()), StandardCharsets.UTF_8) + "}";
        }

        private static String quoted(String text) {
            try {
                return JSON.writeValueAsString(text);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static String describe(Area area) {
        return area.isCircle()
                ? String.format(Locale.ROOT, "%s  circle  %.6f,%.6f  %.1f m", area.name(), area.lat(), area.lon(), area.radiusM())
                : area.name() + "  polygon  " + area.polygon();
    }
}
