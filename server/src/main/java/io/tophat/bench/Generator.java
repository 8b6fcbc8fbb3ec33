package io.tophat.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What sends a bench's load: the builtin generator (Netty, in this process) or one of the field's standard
 * tools, wrk or ab, run as a child process whose output the bench parses, so a published ratio comes from
 * the same tool as everyone else's.
 */
public enum Generator {
    BUILTIN("builtin", null, EnumSet.complementOf(EnumSet.of(Scenario.REGISTER))),
    WRK("wrk", "wrk", EnumSet.of(Scenario.REDIRECT, Scenario.READ, Scenario.INGEST, Scenario.REGISTER)),
    AB("ab", "apache2-utils", EnumSet.of(Scenario.REDIRECT, Scenario.READ, Scenario.SEED_TEST_2));

    private final String label;
    private final String aptPackage;
    private final Set<Scenario> drives;

    Generator(String label, String aptPackage, Set<Scenario> drives) {
        this.label = label;
        this.aptPackage = aptPackage;
        this.drives = drives;
    }

    /** The name on the command line, and for wrk and ab the executable's. */
    public String label() {
        return label;
    }

    public boolean external() {
        return this != BUILTIN;
    }

    public boolean drives(Scenario scenario) {
        return drives.contains(scenario);
    }

    /** For example {@code redirect, read and ingest}. */
    String drivenScenarios() {
        String[] names = drives.stream().map(Scenario::label).toArray(String[]::new);
        return names.length == 1 ? names[0] : String.join(", ", Arrays.copyOf(names, names.length - 1))
                + " and " + names[names.length - 1];
    }

    /** The generator called {@code name} on the command line; throws a message listing the names when unknown. */
    public static Generator of(String name) {
        for (Generator g : values()) {
            if (g.label.equalsIgnoreCase(name.trim())) {
                return g;
            }
        }
        throw new IllegalArgumentException("unknown generator '" + name + "'; choose one of " + names());
    }

    public static String names() {
        return Arrays.stream(values()).map(Generator::label).collect(Collectors.joining(", "));
    }

    /** The executable in one of {@code searchPath}'s folders (a PATH value), if there is one; builtin: none needed. */
    public Optional<Path> find(String searchPath) {
        if (!external() || searchPath == null) {
            return Optional.empty();
        }
        return Arrays.stream(searchPath.split(File.pathSeparator)).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, label)).filter(Files::isExecutable).findFirst();
    }

    /**
     * Fails with what to install when this is wrk or ab and {@code searchPath} (a PATH value) has no such
     * executable.
     */
    public void requireOn(String searchPath) {
        if (external() && find(searchPath).isEmpty()) {
            throw new IllegalArgumentException("--generator " + label + " needs " + label + " on the PATH: "
                    + "apt-get install " + aptPackage);
        }
    }
}
