package io.tophat.simulator;

import java.time.Duration;

/** The argument checks the fleet configurations share. */
final class FleetChecks {

    private FleetChecks() {
    }

    static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    static void requirePositive(String name, Duration d) {
        require(d != null && !d.isNegative() && !d.isZero(), name + " must be a positive duration (was " + d + ")");
    }
}
