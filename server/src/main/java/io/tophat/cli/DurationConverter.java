package io.tophat.cli;

import io.tophat.config.Durations;
import picocli.CommandLine;

import java.time.Duration;

/** Reads durations written as {@code 500ms}, {@code 20s}, {@code 5m} or {@code 1h}. */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        try {
            return Durations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }

    /** Formats a duration the way it is written on the command line. */
    public static String format(Duration d) {
        return Durations.format(d);
    }
}
