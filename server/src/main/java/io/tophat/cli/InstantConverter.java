package io.tophat.cli;

import picocli.CommandLine;

import java.time.Instant;

/** Reads a time flag: milliseconds since the epoch, or ISO-8601 ({@code 2026-12-01T10:00:00Z}). */
public final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
        try {
            return value.chars().allMatch(c -> Character.isDigit(c) || c == '-') ? Instant.ofEpochMilli(Long.parseLong(value))
                    : Instant.parse(value);
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("must be milliseconds since the epoch or an ISO-8601 time "
                    + "such as 2026-12-01T10:00:00Z, not '" + value + "'");
        }
    }
}
