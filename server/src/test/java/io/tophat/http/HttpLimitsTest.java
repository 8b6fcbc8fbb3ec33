package io.tophat.http;

import com.sun.management.UnixOperatingSystemMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The HTTP layer's bounds: their defaults, and a bad value refused with the flag to fix. */
class HttpLimitsTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void the_defaults_are_15s_60s_and_1024_per_address() {
        assertThat(HttpLimits.DEFAULT.requestTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(HttpLimits.DEFAULT.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(HttpLimits.DEFAULT.maxConnectionsPerAddress()).isEqualTo(1024);
        assertThat(HttpLimits.DEFAULT.maxConnections()).isEqualTo(HttpLimits.DEFAULT_MAX_CONNECTIONS);
    }

    @Test
    void the_default_connection_cap_is_the_open_file_limit_less_a_reserve() {
        long limit = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        assertThat((long) HttpLimits.DEFAULT_MAX_CONNECTIONS)
                .isEqualTo(Math.min(Integer.MAX_VALUE, Math.max(256, limit - 1024)));
    }

    @Test
    void the_derived_cap_is_at_least_256_and_off_when_the_limit_is_unknown() {
        assertThat(HttpLimits.derivedMaxConnections(20_000)).isEqualTo(18_976);
        assertThat(HttpLimits.derivedMaxConnections(1024)).isEqualTo(256);
        assertThat(HttpLimits.derivedMaxConnections(0)).isEqualTo(256);
        assertThat(HttpLimits.derivedMaxConnections(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
        assertThat(HttpLimits.derivedMaxConnections(-1)).isZero();
    }

    @Test
    void zero_turns_either_cap_off() {
        HttpLimits off = new HttpLimits(SECOND, SECOND, 0, 0);
        assertThat(off.maxConnections()).isZero();
        assertThat(off.maxConnectionsPerAddress()).isZero();
    }

    static Stream<Arguments> badLimits() {
        return Stream.of(
                arguments("--request-timeout", (Supplier<HttpLimits>) () -> new HttpLimits(Duration.ZERO, SECOND, 0,
                        0)),
                arguments("--request-timeout", (Supplier<HttpLimits>) () -> new HttpLimits(null, SECOND, 0, 0)),
                arguments("--idle-timeout", (Supplier<HttpLimits>) () -> new HttpLimits(SECOND, Duration.ofSeconds(-1),
                        0, 0)),
                arguments("--idle-timeout", (Supplier<HttpLimits>) () -> new HttpLimits(SECOND, Duration.ofDays(25),
                        0, 0)),
                arguments("--max-connections", (Supplier<HttpLimits>) () -> new HttpLimits(SECOND, SECOND, -1, 0)),
                arguments("--max-connections-per-address",
                        (Supplier<HttpLimits>) () -> new HttpLimits(SECOND, SECOND, 0, -1)));
    }

    @ParameterizedTest(name = "a bad {0} is refused with a message naming it")
    @MethodSource("badLimits")
    void a_bad_value_names_its_flag(String flag, Supplier<HttpLimits> limits) {
        assertThatThrownBy(limits::get).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(flag + " ");
    }
}
