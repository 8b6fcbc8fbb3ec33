package io.tophat.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.client.NearAnswer;
import io.tophat.client.NearbyProducer;
import io.tophat.client.ServerStatusException;
import io.tophat.client.UnreachableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code tophat near LAT LON RADIUS}: the producers whose latest position is within RADIUS metres. */
@Command(name = "near", mixinStandardHelpOptions = true,
        description = "Prints the producers whose latest position lies within RADIUS metres of LAT, LON, nearest "
                + "first (GET /api/v1/near on the balancer, which asks every live worker): producer, distance in "
                + "metres, position, the heartbeat's time and the worker holding it. A negative LAT or LON is "
                + "written as it is (near -33.86 151.21 500).",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the answer was printed, every worker answered",
                "2:the command line is wrong",
                "3:the balancer could not be reached or refused the query, or a worker did not answer (what was "
                        + "printed may miss producers)"})
public final class NearCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LAT", description = "Latitude of the centre, -90 to 90.")
    double lat;

    @Parameters(index = "1", paramLabel = "LON", description = "Longitude of the centre, -180 to 180.")
    double lon;

    @Parameters(index = "2", paramLabel = "RADIUS", description = "Radius in metres.")
    double radius;

    @Option(names = "--limit", defaultValue = "100", description = "The most producers printed, 1 to 10,000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--seen-since", paramLabel = "TIME", converter = InstantConverter.class,
            description = "Only positions whose heartbeat time is at or after TIME (epoch ms or ISO-8601).")
    Instant seenSince;

    @Option(names = "--json", description = "Print each producer as a JSON object, one per line.")
    boolean json;

    @Mixin
    ConsumerOptions options;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        NearAnswer answer;
        try {
            answer = options.consumer().near(lat, lon, radius, limit, seenSince);
        } catch (ServerStatusException e) {
            err.println(options.describe(e));
            return 3;
        } catch (UnreachableException e) {
            err.println(options.describe(e));
            return 3;
        }
        for (NearbyProducer p : answer.items()) {
            if (json) {
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("producer", p.producer());
                item.put("distance_m", p.distanceM());
                item.put("location", Map.of("lat", p.location().lat(), "lon", p.location().lon()));
                item.put("time", p.time().toEpochMilli());
                item.put("worker", String.valueOf(p.worker()));
                out.println(JSON.writeValueAsString(item));
            } else {
                out.println(p.producer() + "  " + String.format(Locale.ROOT, "%.1f m", p.distanceM()) + "  "
                        + ConsoleLines.position(p.location()) + "  " + p.time() + "  " + p.worker());
            }
        }
        out.flush();
        if (!answer.complete()) {
            err.println("incomplete: no answer from " + String.join(", ", answer.missing()));
            return 3;
        }
        return 0;
    }
}
