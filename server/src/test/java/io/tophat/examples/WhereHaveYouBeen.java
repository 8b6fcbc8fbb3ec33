package io.tophat.examples;

import io.tophat.client.ConsumerConfig;
import io.tophat.client.ExportFormat;
import io.tophat.client.HistoryQuery;
import io.tophat.client.TopHatConsumer;
import io.tophat.protocol.Heartbeat;

import java.io.FileOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Where has a phone been today? The consumer example of the README, compiled and run by ReadmeExampleTest. */
public final class WhereHaveYouBeen {
    public static void main(String[] args) throws Exception {
        URI balancer = URI.create(args.length > 0 ? args[0] : "http://localhost:5000");
        String phone = args.length > 1 ? args[1] : "3000";
        TopHatConsumer consumer = new TopHatConsumer(ConsumerConfig.of(balancer)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10)));

        // the latest record, from the worker that holds the phone now
        Optional<Heartbeat> latest = consumer.latest(phone);
        latest.ifPresent(hb -> System.out.println("last seen " + Instant.ofEpochMilli(hb.time()) + ": " + hb.data()));

        // the last 24 hours in time order, from every worker's store that held the phone, read page by page
        HistoryQuery today = HistoryQuery.between(Instant.now().minus(Duration.ofDays(1)), Instant.now());
        long points = consumer.history(phone, today)
                .filter(hb -> hb.location().label() == null)
                .peek(hb -> System.out.println(Instant.ofEpochMilli(hb.time()) + " " + hb.location().lat() + ","
                        + hb.location().lon() + " " + hb.data()))
                .count();
        System.out.println(points + " positions today");

        // the same day as GeoJSON for a map, streamed to a file in constant memory
        try (OutputStream file = new FileOutputStream(phone + "-today.geojson")) {
            long bytes = consumer.export(phone, today.from(), today.to(), ExportFormat.GEOJSON, file);
            System.out.println(bytes + " bytes of GeoJSON in " + phone + "-today.geojson");
        }

        // every phone seen in the last hour
        consumer.producers(Instant.now().minus(Duration.ofHours(1)))
                .forEach(p -> System.out.println(p.id() + " on " + p.worker() + ", last seen " + p.lastSeen()));
    }
}
