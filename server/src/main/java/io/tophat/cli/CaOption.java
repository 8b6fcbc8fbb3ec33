package io.tophat.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The client commands' {@code --ca}: the certificate authorities HTTPS trusts, for a privately signed cluster. */
final class CaOption {
    @Option(names = "--ca", paramLabel = "FILE", defaultValue = "${env:TOPHAT_CA}",
            description = "Trust only the certificate authorities in this PEM file for HTTPS, instead of the "
                    + "JVM's (env TOPHAT_CA).")
    Path ca;
}
