package io.tophat.stream;

import io.tophat.protocol.SseReader;
import io.vertx.core.buffer.Buffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Generated inputs through the stream's own formats: tokens, and SSE frames read back in arbitrary chunks. */
class StreamFramingTest {

    @Property
    void a_token_decodes_to_the_positions_it_was_made_of(
            @ForAll @Size(max = 8) List<@StringLength(min = 1, max = 40) @CharRange(from = ' ', to = '~') String> stores,
            @ForAll @LongRange(min = 0, max = Long.MAX_VALUE / 2) long key) {
        TreeMap<String, Long> positions = new TreeMap<>();
        for (int i = 0; i < stores.size(); i++) {
            positions.put(stores.get(i).replace("|", "/"), key + i);
        }
        StreamToken token = new StreamToken(positions);
        assertThat(StreamToken.decode(token.encode())).isEqualTo(token);
        if (positions.size() == 1) {
            Map.Entry<String, Long> only = positions.firstEntry();
            assertThat(StreamToken.encodeOne(only.getKey(), only.getValue())).isEqualTo(token.encode());
        }
    }

    @Property
    void text_that_is_not_a_token_is_refused(@ForAll @StringLength(max = 60) String text) {
        boolean decodes;
        try {
            StreamToken.decode(text);
            decodes = true;
        } catch (IllegalArgumentException e) {
            decodes = false;
        }
        if (decodes) {
            assertThat(StreamToken.decode(StreamToken.decode(text).encode())).isEqualTo(StreamToken.decode(text));
        }
        assertThatThrownBy(() -> StreamToken.decode("x" + text + "!")).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void a_frame_reads_back_the_same_data_whatever_its_line_breaks_and_chunking(
            @ForAll @StringLength(max = 300) @Chars({'a', 'é', '"', '{', '\n', '\r', ' ', ':', '€', '\u4e2d'}) String data,
            @ForAll @IntRange(min = 1, max = 50) int chunk) {
        data = data.replace("€", "\uD83D\uDE00"); // a character outside the BMP, as a whole surrogate pair
        Buffer frame = SseSink.sseFrame("heartbeat", "t0k3n", data);
        List<String[]> got = new ArrayList<>();
        SseReader reader = new SseReader((event, id, d) -> got.add(new String[]{event, id, d}));
        for (int i = 0; i < frame.length(); i += chunk) {
            SseChunks.into(reader).handle(frame.getBuffer(i, Math.min(frame.length(), i + chunk)));
        }
        assertThat(got).hasSize(1);
        assertThat(got.get(0)[0]).isEqualTo("heartbeat");
        assertThat(got.get(0)[1]).isEqualTo("t0k3n");
        // SSE carries line breaks as line feeds: CR LF and CR come back as LF, as JSON whitespace they mean the same
        assertThat(got.get(0)[2]).isEqualTo(data.replace("\r\n", "\n").replace('\r', '\n'));
    }
}
