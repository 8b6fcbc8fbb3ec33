package io.tophat.protocol;

import org.junit.jupiter.api.Timeout;
import com.fasterxml.jackson.core.JsonGenerator;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(30)
class HeartbeatJsonTest {

    @Test
    void a_stored_location_is_the_same_text_as_in_a_record_and_reads_back_equal() throws Exception {
        List<Location> locations = List.of(
                Location.of(56.3398, -2.7967),
                Location.of(0, 0),
                Location.of(-89.999999, 179.99999999999),
                new Location(1.0E-7, -1.5E-9, 12345.678, 0.0, 3.4028235E38, 359.99, null),
                new Location(51.5, -0.12, null, 8.5, null, 90.0, null),
                Location.label("home"),
                Location.label("quote \" backslash \\ tab \t and é"));
        for (Location location : locations) {
            String stored = HeartbeatJson.encodeLocation(location);
            assertThat(stored).as(location.toString()).isEqualTo(jacksonText(location));
            assertThat(HeartbeatJson.decodeLocation(stored)).isEqualTo(location);
        }
    }

    private static String jacksonText(Location location) throws Exception {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = HeartbeatJson.FACTORY.createGenerator(out)) {
            HeartbeatJson.writeLocation(gen, location);
        }
        return out.toString();
    }
}
