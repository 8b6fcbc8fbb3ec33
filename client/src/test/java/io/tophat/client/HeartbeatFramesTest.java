package io.tophat.client;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a watch's listener hears of a stream's completeness, frame by frame and across reconnects: the balancer says
 * {@code incomplete} first on a stream that starts incomplete, so a reconnected stream that starts otherwise is
 * complete again.
 */
class HeartbeatFramesTest {
    private static final String MISSING = "{\"missing\":[\"127.0.0.1:6001\",\"127.0.0.1:6002\"],\"detail\":\"away\"}";

    /** The listener's calls, in order. */
    private final List<String> heard = new ArrayList<>();
    private final HeartbeatFrames frames = new HeartbeatFrames(new StreamListener() {
        @Override
        public void heartbeat(StreamedHeartbeat event) {
            heard.add("heartbeat " + event.heartbeat().seq());
        }

        @Override
        public void incomplete(List<String> missing, String detail) {
            heard.add("incomplete " + missing + " " + detail);
        }

        @Override
        public void complete() {
            heard.add("complete");
        }
    });

    private void heartbeat(long seq) {
        frames.frame("heartbeat", "t" + seq, "{\"producer\":\"p\",\"location\":{\"lat\":1,\"lon\":2},\"data\":null,"
                + "\"ip_address\":\"127.0.0.1\",\"time\":5,\"received_at\":5,\"seq\":" + seq + "}");
    }

    @Test
    void incomplete_and_complete_reach_the_listener_in_the_streams_order() {
        frames.opened();
        frames.frame(null, "t0", null);
        frames.frame("complete", null, "{\"missing\":[],\"detail\":\"\"}"); // nothing was said missing: not passed on
        frames.frame("incomplete", null, MISSING);
        heartbeat(1);
        frames.frame("complete", null, "{\"missing\":[],\"detail\":\"back\"}");
        assertThat(heard).containsExactly("incomplete [127.0.0.1:6001, 127.0.0.1:6002] away", "heartbeat 1",
                "complete");
    }

    @Test
    void a_reconnected_stream_is_complete_unless_its_first_frame_says_otherwise() {
        frames.opened();
        frames.frame("incomplete", null, MISSING);
        frames.opened(); // still missing: the new stream says so first
        frames.frame("incomplete", null, MISSING);
        frames.frame(null, "t1", null);
        frames.opened(); // back meanwhile: the new stream starts with a position
        frames.frame(null, "t2", null);
        heartbeat(2);
        assertThat(heard).containsExactly("incomplete [127.0.0.1:6001, 127.0.0.1:6002] away",
                "incomplete [127.0.0.1:6001, 127.0.0.1:6002] away", "complete", "heartbeat 2");
    }
}
