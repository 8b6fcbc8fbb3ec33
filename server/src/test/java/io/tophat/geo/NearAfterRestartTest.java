package io.tophat.geo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tophat.embedded.EmbeddedCluster;
import io.tophat.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A worker started again on its data files its producers' latest positions before it takes heartbeats. */
@Timeout(60)
class NearAfterRestartTest {
    @TempDir
    Path dir;

    @Test
    void a_restarted_worker_still_knows_who_is_near() throws Exception {
        try (EmbeddedCluster cluster = new EmbeddedCluster(dir, "127.0.0.1", c -> c).start(0, 1)) {
            String worker = Http.get(cluster.balancerUri() + "/register/sleeper").body().strip();
            assertThat(Http.postJson(worker + "/api/v1/heartbeats", "{\"id\":\"sleeper\",\"location\":{\"lat\":-33.86,"
                    + "\"lon\":151.21},\"data\":{}}").statusCode()).isEqualTo(200);
            int port = cluster.worker(0).port();
            cluster.stopWorker(0);
            cluster.startWorker(0, port);
            String near = Http.get(worker + "/api/v1/near?lat=-33.86&lon=151.21&radius_m=100").body();
            assertThat(new ObjectMapper().readTree(near).path("items")).hasSize(1);
        }
    }
}
