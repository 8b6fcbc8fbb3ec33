package io.tophat.cli;

import io.tophat.store.StoreTarget;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a process keeps its data: {@code --store} and the password that goes with a database, never on the command line. */
final class StoreOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--store", paramLabel = "sqlite|JDBC-URL", defaultValue = "${env:TOPHAT_STORE:-" + StoreTarget.SQLITE + "}",
            description = "sqlite (files in the data folder) or a PostgreSQL JDBC URL such as "
                    + "jdbc:postgresql://db:5432/tophat?user=tophat (its currentSchema parameter names the schema; "
                    + "the password never goes in it) (default: ${DEFAULT-VALUE}, env TOPHAT_STORE).")
    String store;

    @Option(names = "--store-pool-size", paramLabel = "N",
            defaultValue = "${env:TOPHAT_STORE_POOL_SIZE:-" + io.tophat.store.PostgresStoreConfig.DEFAULT_POOL_SIZE + "}",
            description = "With PostgreSQL: the most connections this process holds to it, shared by its writer "
                    + "and readers (a balancer uses half, at least 2) (default: ${DEFAULT-VALUE}, env "
                    + "TOPHAT_STORE_POOL_SIZE).")
    int poolSize;

    @Option(names = "--store-password-file", paramLabel = "FILE",
            description = "A file holding the database password (its first line); else the environment variable "
                    + "TOPHAT_STORE_PASSWORD, else none (trust authentication, ~/.pgpass).")
    Path passwordFile;

    StoreTarget target() {
        String password = System.getenv("TOPHAT_STORE_PASSWORD");
        if (passwordFile != null) {
            try {
                password = Files.readAllLines(passwordFile).stream().findFirst().orElse("").strip();
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "--store-password-file " + passwordFile
                        + " cannot be read: " + e.getMessage());
            }
        }
        try {
            return new StoreTarget(store.trim(), password == null || password.isEmpty() ? null : password, poolSize);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
