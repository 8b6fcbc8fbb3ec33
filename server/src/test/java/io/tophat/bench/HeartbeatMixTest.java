package io.tophat.bench;

import org.junit.jupiter.api.Timeout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.protocol.Heartbeat;
import io.tophat.worker.HeartbeatParser;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(30)
class HeartbeatMixTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void each_request_is_a_valid_heartbeat_of_about_two_hundred_bytes_with_its_own_producer_and_seq() throws Exception {
        HeartbeatMix mix = new HeartbeatMix(ProducerIds.bench(10_000), 1_700_000_000_000_000_000L);
        JsonNode first = JSON.readTree(mix.bodyFor(0));
        JsonNode later = JSON.readTree(mix.bodyFor(10_001));

        assertThat(mix.bodySize()).isBetween(180, 240);
        assertThat(first.get("id").asText()).isEqualTo("1000000");
        assertThat(first.get("seq").asLong()).isEqualTo(1_700_000_000_000_000_000L);
        assertThat(later.get("id").asText()).isEqualTo("1000001");
        assertThat(later.get("seq").asLong()).isEqualTo(1_700_000_000_000_010_001L);
    }

    @Test
    void the_workers_parser_accepts_the_body() {
        HeartbeatMix mix = new HeartbeatMix(new ProducerIds(3000, 20), HeartbeatMix.seqBaseNow());

        Heartbeat hb = new HeartbeatParser().parse(mix.bodyFor(25), "127.0.0.1", 1L);

        assertThat(hb.producer()).isEqualTo("3005");
        assertThat(hb.seq()).isNotNull();
    }

    @Test
    void producer_ids_of_different_widths_are_refused() {
        assertThatThrownBy(() -> new ProducerIds(9_990, 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same number of digits");
    }
}
