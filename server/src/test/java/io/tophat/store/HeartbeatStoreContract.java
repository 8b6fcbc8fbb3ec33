package io.tophat.store;

import io.tophat.protocol.Heartbeat;
import io.tophat.protocol.HeartbeatJson;
import io.tophat.testing.HeartbeatGen;
import io.tophat.testing.HeartbeatGen.GeneratedHeartbeat;
import io.tophat.testing.RoundTrip;
import io.tophat.worker.HeartbeatParser;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.sessions.JqwikSession;
import io.tophat.protocol.Location;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link HeartbeatStore} engine must do, written against the interface: each engine's test extends
 * this with how to open a store. SQLite passes it now ({@link SqliteHeartbeatStoreTest}); PostgreSQL is next.
 */
@Timeout(60)
abstract class HeartbeatStoreContract {

    @TempDir
    Path dir;

    HeartbeatStore store;

    /** Opens the engine's store whose data lives under {@code dir}; the same {@code dir} reopens the same data. */
    protected abstract HeartbeatStore open(Path dir);

    @BeforeEach
    void openStore() {
        store = open(dir);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static Heartbeat beat(String producer, long receivedAt, Long seq, String data) {
        return new Heartbeat(producer, Location.of(56.34, -2.79), data, "10.0.0.7", receivedAt, null, seq);
    }

    static Heartbeat at(String producer, String label, long receivedAt) {
        return new Heartbeat(producer, Location.label(label), "{}", "10.0.0.7", receivedAt, null, null);
    }

    @Test
    void an_appended_heartbeat_is_the_producers_latest() {
        Heartbeat hb = new Heartbeat("356938035643809", new Location(56.34, -2.79, 12.5, 4.0, 1.25, 270.0, null),
                "{\"temp\":21.5}", "192.168.1.20", 1_700_000_000_123L, 1_700_000_000_000L, 7L);

        store.append(List.of(hb));

        assertThat(store.latest("356938035643809")).contains(hb);
        assertThat(store.latest("someone-else")).isEmpty();
        assertThat(store.historySize()).isEqualTo(1);
    }

    @Test
    void an_older_heartbeat_does_not_replace_a_newer_latest() {
        store.append(List.of(beat("p1", 200, null, "\"new\"")));
        store.append(List.of(beat("p1", 100, null, "\"old\"")));

        assertThat(store.latest("p1")).get().extracting(Heartbeat::data).isEqualTo("\"new\"");
        assertThat(store.historySize()).isEqualTo(2);
    }

    @Test
    void within_a_batch_the_newest_heartbeat_becomes_the_latest_whatever_its_position() {
        store.append(List.of(beat("p1", 300, null, "\"newest\""), beat("p1", 250, null, "\"older\""),
                beat("p2", 10, null, "\"a\""), beat("p2", 20, null, "\"b\"")));

        assertThat(store.latest("p1")).get().extracting(Heartbeat::data).isEqualTo("\"newest\"");
        assertThat(store.latest("p2")).get().extracting(Heartbeat::data).isEqualTo("\"b\"");
    }

    @Test
    void a_heartbeat_received_at_the_same_time_replaces_the_latest() {
        store.append(List.of(beat("p1", 500, null, "\"first\"")));
        store.append(List.of(beat("p1", 500, null, "\"second\"")));

        assertThat(store.latest("p1")).get().extracting(Heartbeat::data).isEqualTo("\"second\"");
    }

    @Test
    void a_retried_heartbeat_with_the_same_producer_and_seq_is_stored_once() {
        store.append(List.of(beat("p1", 100, 1L, "\"original\""), beat("p1", 101, 1L, "\"retry in batch\"")));
        store.append(List.of(beat("p1", 200, 1L, "\"retry later\"")));

        assertThat(store.historySize()).isEqualTo(1);
        assertThat(store.history("p1", 0, Long.MAX_VALUE, 10)).extracting(Heartbeat::data)
                .containsExactly("\"original\"");
    }

    @Test
    void a_retried_heartbeat_does_not_move_the_latest() {
        store.append(List.of(beat("p1", 100, 1L, "\"original\"")));
        store.append(List.of(beat("p1", 200, 1L, "\"original\"")));

        assertThat(store.latest("p1")).get().extracting(Heartbeat::receivedAt).isEqualTo(100L);
    }

    @Test
    void the_same_seq_from_different_producers_is_stored_for_each() {
        store.append(List.of(beat("p1", 100, 1L, "1"), beat("p2", 100, 1L, "1")));

        assertThat(store.historySize()).isEqualTo(2);
    }

    @Test
    void heartbeats_without_seq_are_never_deduplicated() {
        Heartbeat hb = beat("p1", 100, null, "{\"same\":true}");
        store.append(List.of(hb, hb));
        store.append(List.of(hb));

        assertThat(store.historySize()).isEqualTo(3);
    }

    @Test
    void history_returns_the_half_open_range_oldest_first_up_to_the_limit() {
        store.append(List.of(beat("p1", 500, null, "5"), beat("p1", 100, null, "1"), beat("p2", 300, null, "x")));
        store.append(List.of(beat("p1", 300, null, "3"), beat("p1", 200, null, "2"), beat("p1", 600, null, "6")));
        store.append(List.of(beat("p1", 400, null, "4")));

        assertThat(store.history("p1", 200, 600, 100)).extracting(Heartbeat::data)
                .containsExactly("2", "3", "4", "5");
        assertThat(store.history("p1", 200, 600, 2)).extracting(Heartbeat::data).containsExactly("2", "3");
        assertThat(store.history("p1", 0, Long.MAX_VALUE, 100)).hasSize(6);
        assertThat(store.history("p1", 600, 600, 100)).isEmpty();
        assertThat(store.history("p1", 0, 100, 100)).isEmpty();
        assertThat(store.history("nobody", 0, Long.MAX_VALUE, 100)).isEmpty();
        assertThat(store.history("p1", 0, Long.MAX_VALUE, 0)).isEmpty();
    }

    @Test
    void history_keeps_arrival_order_for_heartbeats_received_in_the_same_millisecond() {
        store.append(List.of(beat("p1", 100, null, "\"a\""), beat("p1", 100, null, "\"b\"")));
        store.append(List.of(beat("p1", 100, null, "\"c\"")));

        assertThat(store.history("p1", 0, 1000, 10)).extracting(Heartbeat::data)
                .containsExactly("\"a\"", "\"b\"", "\"c\"");
    }

    @Test
    void history_refuses_a_negative_limit() {
        assertThatThrownBy(() -> store.history("p1", 0, 10, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
    }

    @Test
    void latest_at_label_is_the_most_recent_heartbeat_at_that_string_location() {
        store.append(List.of(at("p1", "library", 100), at("p2", "library", 300), at("p1", "pub", 400)));
        store.append(List.of(at("p3", "library", 200), beat("p4", 900, null, "{}")));

        assertThat(store.latestAtLabel("library")).get().satisfies(hb -> {
            assertThat(hb.producer()).isEqualTo("p2");
            assertThat(hb.receivedAt()).isEqualTo(300);
            assertThat(hb.location()).isEqualTo(Location.label("library"));
        });
        assertThat(store.latestAtLabel("pub")).get().extracting(Heartbeat::producer).isEqualTo("p1");
        assertThat(store.latestAtLabel("Library")).isEmpty();
        assertThat(store.latestAtLabel("nowhere")).isEmpty();
    }

    @Test
    void data_json_text_round_trips_byte_for_byte() {
        List<String> values = List.of(
                "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}",
                "{ \"spaced\" : [ 1 , 2 ] ,\n\t\"kept\": \"as sent\" }",
                "[1,2.5,-3e10,\"x\",[],{}]",
                "\"h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c\u8a9e \ud83d\ude80\"",
                "\"escaped \\u00e9 \\ud83d\\ude80 \\\"quoted\\\" \\\\ back\\nslash\"",
                "12345678901234567890123456789012345678901234567890",
                "-0.0", "1.0E-300", "0.1000000000000000055511151231257827", "null", "true", "\"\"");
        List<Heartbeat> batch = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            batch.add(beat("p1", i, null, values.get(i)));
        }

        store.append(batch);

        List<String> stored = store.history("p1", 0, Long.MAX_VALUE, 100).stream().map(Heartbeat::data).toList();
        assertThat(stored).containsExactlyElementsOf(values);
        for (int i = 0; i < values.size(); i++) {
            assertThat(stored.get(i).getBytes(StandardCharsets.UTF_8))
                    .isEqualTo(values.get(i).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void every_field_of_a_heartbeat_round_trips() {
        Heartbeat full = new Heartbeat("p1", new Location(-33.8688, 151.2093, -4.5, 0.0, 0.5, 359.9, null),
                "[]", "2001:db8::1", 1_700_000_000_999L, 1_600_000_000_000L, Long.MAX_VALUE);
        Heartbeat sparse = new Heartbeat("p2", Location.label("caf\u00e9 \"corner\""), "{}", null, 5, null, null);

        store.append(List.of(full, sparse));

        assertThat(store.history("p1", 0, Long.MAX_VALUE, 1)).containsExactly(full);
        assertThat(store.latest("p2")).contains(sparse);
    }

    @Test
    void an_empty_batch_changes_nothing() {
        store.append(List.of());

        assertThat(store.historySize()).isZero();
    }

    @Test
    void each_database_has_its_own_identity_and_its_own_secret_proof_of_it() {
        try (HeartbeatStore other = open(dir.resolve("other"))) {
            assertThat(other.identity()).isNotBlank().isNotEqualTo(store.identity());
            assertThat(store.identityProof()).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo(store.identity());
            assertThat(other.identityProof()).isNotBlank().isNotEqualTo(store.identityProof());
        }
    }

    @Test
    void a_store_that_takes_writes_passes_the_write_probe_and_keeps_its_data() {
        Heartbeat kept = beat("p1", 100, 1L, "{\"n\":1}");
        store.append(List.of(kept));
        store.checkWritable();
        store.checkWritable();
        assertThat(store.latest("p1")).contains(kept);
        assertThat(store.historySize()).isEqualTo(1);
    }

    @Test
    void after_reopening_everything_is_still_there_and_the_identity_is_unchanged() {
        Heartbeat first = beat("p1", 100, 1L, "{\"n\":1}");
        Heartbeat second = at("p2", "home", 200);
        store.append(List.of(first, second));
        String identity = store.identity();
        String proof = store.identityProof();
        store.close();

        store = open(dir);

        assertThat(store.identity()).isEqualTo(identity);
        assertThat(store.identityProof()).isEqualTo(proof);
        assertThat(store.historySize()).isEqualTo(2);
        assertThat(store.latest("p1")).contains(first);
        assertThat(store.latestAtLabel("home")).contains(second);
        store.append(List.of(beat("p1", 300, 1L, "{\"n\":1}")));
        assertThat(store.historySize()).isEqualTo(2);
    }

    @Test
    void a_closed_store_refuses_work_and_closing_twice_is_harmless() {
        store.close();
        store.close();

        assertThatThrownBy(() -> store.append(List.of(beat("p1", 1, null, "1"))))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> store.latest("p1"))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
    }

    @Test
    void history_is_ordered_by_the_heartbeats_time_so_a_point_sent_late_lands_in_its_place() {
        store.append(List.of(timed("p", 1000, null, 1L, "1"), timed("p", 2000, null, 2L, "2")));
        store.append(List.of(timed("p", 3000, 1500L, 3L, "\"buffered offline\"")));
        assertThat(store.history("p", 0, Long.MAX_VALUE, 10)).extracting(Heartbeat::seq).containsExactly(1L, 3L, 2L);
        assertThat(store.history("p", 1400, 1600, 10)).extracting(Heartbeat::seq).as("ranges over time")
                .containsExactly(3L);
        List<StoredHeartbeat> newestFirst = store.history(new HistoryQuery("p", 0, Long.MAX_VALUE, true, null, 10));
        assertThat(newestFirst).extracting(s -> s.heartbeat().seq()).containsExactly(2L, 3L, 1L);
        assertThat(newestFirst).extracting(s -> s.position().time()).containsExactly(2000L, 1500L, 1000L);
    }

    @Test
    void pages_continuing_after_their_last_position_hold_every_heartbeat_once_in_order_even_within_one_millisecond() {
        java.util.Random random = new java.util.Random(11);
        List<Heartbeat> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            // 300 heartbeats over 20 milliseconds: many share their time; some carry an earlier device time
            long received = 10_000 + random.nextInt(20);
            Long device = random.nextInt(4) == 0 ? received - random.nextInt(5) : null;
            sent.add(timed("same-ms", received, device, (long) i, "{\"i\":" + i + "}"));
        }
        for (int from = 0; from < sent.size(); from += 37) {
            store.append(sent.subList(from, Math.min(sent.size(), from + 37)));
        }
        for (boolean descending : new boolean[]{false, true}) {
            List<StoredHeartbeat> whole = store.history(new HistoryQuery("same-ms", 0, Long.MAX_VALUE, descending, null, 1000));
            assertThat(whole).hasSize(300);
            for (int size : new int[]{1, 2, 7, 50, 299, 300}) {
                List<StoredHeartbeat> paged = new java.util.ArrayList<>();
                HistoryQuery query = new HistoryQuery("same-ms", 0, Long.MAX_VALUE, descending, null, size);
                for (int guard = 0; guard < 400; guard++) {
                    List<StoredHeartbeat> page = store.history(query);
                    paged.addAll(page);
                    if (page.size() < size) {
                        break;
                    }
                    query = query.continuing(page.get(page.size() - 1).position());
                }
                assertThat(paged).as("pages of %d, %s", size, descending ? "newest first" : "oldest first")
                        .isEqualTo(whole);
            }
            for (int i = 1; i < whole.size(); i++) {
                int c = whole.get(i - 1).position().compareTo(whole.get(i).position());
                assertThat(descending ? c > 0 : c < 0).as("strictly ordered at %d", i).isTrue();
                assertThat(whole.get(i).position().time()).isEqualTo(whole.get(i).heartbeat().time());
            }
        }
    }

    @Test
    void erasing_a_producer_removes_every_heartbeat_of_it_and_nothing_of_others() {
        store.append(List.of(beat("gone", 100, 1L, "1"), beat("kept", 100, 1L, "1"), at("gone", "home", 150)));
        store.append(List.of(beat("gone", 200, 2L, "2")));
        assertThat(store.erase("gone")).isEqualTo(3);
        assertThat(store.latest("gone")).isEmpty();
        assertThat(store.history("gone", 0, Long.MAX_VALUE, 10)).isEmpty();
        assertThat(store.latestAtLabel("home")).isEmpty();
        assertThat(store.latest("kept")).isPresent();
        assertThat(store.historySize()).isEqualTo(1);
        assertThat(store.erase("gone")).isZero();
        store.append(List.of(beat("gone", 300, 1L, "\"back\"")));
        assertThat(store.latest("gone")).map(Heartbeat::data).as("seq 1 is free again after erasure").hasValue("\"back\"");
    }

    @Test
    void retention_deletes_heartbeats_older_than_the_cutoff_a_batch_at_a_time() {
        for (int i = 0; i < 25; i++) {
            store.append(List.of(beat("old", 1000 + i, (long) i, "1")));
        }
        store.append(List.of(beat("new", 5000, 1L, "1")));
        assertThat(store.expire(2000, 10, true)).isEqualTo(10);
        assertThat(store.expire(2000, 10, true)).isEqualTo(10);
        assertThat(store.expire(2000, 10, true)).isEqualTo(5);
        assertThat(store.expire(2000, 10, true)).isZero();
        assertThat(store.history("old", 0, Long.MAX_VALUE, 100)).isEmpty();
        assertThat(store.latest("old")).as("a latest older than the cutoff goes too").isEmpty();
        assertThat(store.latest("new")).isPresent();
        assertThat(store.historySize()).isEqualTo(1);
    }

    @Test
    void stored_seqs_are_those_the_producer_already_has() {
        store.append(List.of(beat("p", 100, 1L, "1"), beat("p", 101, 3L, "3"), beat("q", 100, 2L, "2")));
        assertThat(store.storedSeqs("p", List.of(1L, 2L, 3L, 4L))).containsExactlyInAnyOrder(1L, 3L);
        assertThat(store.storedSeqs("p", List.of())).isEmpty();
    }

    @Test
    void the_latest_positions_are_those_of_each_producers_latest_heartbeat_with_a_position() {
        store.append(List.of(timed("a", 100, null, 1L, "1"), timed("a", 200, null, 2L, "2"), at("b", "home", 100)));
        java.util.Map<String, Long> seen = new java.util.HashMap<>();
        store.eachLatestPosition((producer, lat, lon, time) -> {
            assertThat(lat).isEqualTo(56.34);
            assertThat(lon).isEqualTo(-2.79);
            seen.merge(producer, time, Math::max);
        });
        assertThat(seen).isEqualTo(java.util.Map.of("a", 200L));
    }

    private static Heartbeat timed(String producer, long receivedAt, Long deviceTime, Long seq, String data) {
        return new Heartbeat(producer, Location.of(56.34, -2.79), data, "10.0.0.7", receivedAt, deviceTime, seq);
    }

    @Test
    void the_latest_is_the_heartbeat_with_the_greatest_device_time_not_the_last_to_arrive() {
        store.append(List.of(timed("p1", 1_000, 900L, 1L, "\"newer\"")));
        store.append(List.of(timed("p1", 2_000, 500L, 2L, "\"buffered offline, older\"")));

        assertThat(store.latest("p1")).map(Heartbeat::data).hasValue("\"newer\"");
        assertThat(store.historySize()).isEqualTo(2);
    }

    @Test
    void without_device_time_the_time_of_receipt_counts_and_a_tie_goes_to_the_later_arrival() {
        store.append(List.of(timed("p1", 1_000, null, null, "\"first\""), timed("p1", 1_000, null, null, "\"second\"")));
        store.append(List.of(timed("p2", 1_000, 1_000L, null, "\"device\""), timed("p2", 1_000, null, null, "\"receipt\"")));

        assertThat(store.latest("p1")).map(Heartbeat::data).hasValue("\"second\"");
        assertThat(store.latest("p2")).map(Heartbeat::data).hasValue("\"receipt\"");
    }

    @Test
    void a_claimed_high_seq_cannot_freeze_the_latest() {
        store.append(List.of(timed("p1", 1_000, null, Long.MAX_VALUE, "\"claimed\"")));
        store.append(List.of(timed("p1", 2_000, null, 1L, "\"real\"")));

        assertThat(store.latest("p1")).map(Heartbeat::data).hasValue("\"real\"");
    }

    @Test
    void generated_heartbeats_come_back_from_latest_and_history_as_they_were_sent() {
        List<GeneratedHeartbeat> sent = new ArrayList<>();
        List<Heartbeat> batch = new ArrayList<>();
        HeartbeatParser parser = new HeartbeatParser();
        JqwikSession.start();
        try {
            RandomGenerator<GeneratedHeartbeat> generator = HeartbeatGen.heartbeats().generator(1000);
            java.util.Random random = new java.util.Random(7);
            for (int i = 0; i < 500; i++) {
                GeneratedHeartbeat hb = generator.next(random).value();
                sent.add(hb);
                batch.add(parser.parse(hb.body(hb.numericId() ? Long.toString(100_000 + i) : "gen-" + i), "10.0.0.1",
                        System.currentTimeMillis()));
            }
        } finally {
            JqwikSession.finish();
        }
        store.append(batch.subList(0, 250));
        store.append(batch.subList(250, 500));
        for (int i = 0; i < batch.size(); i++) {
            String id = batch.get(i).producer();
            Heartbeat latest = store.latest(id).orElseThrow();
            RoundTrip.assertSameRecord("latest of " + id, id, sent.get(i),
                    RoundTrip.parse(new String(HeartbeatJson.encode(latest), StandardCharsets.UTF_8)));
            List<Heartbeat> history = store.history(id, 0, Long.MAX_VALUE, 10);
            assertThat(history).containsExactly(latest);
            if (latest.location().label() != null) {
                assertThat(store.latestAtLabel(latest.location().label())).isPresent();
            }
        }
    }
}
