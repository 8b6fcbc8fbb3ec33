package io.tophat.cli;

import io.tophat.protocol.ProducerId;
import io.tophat.security.ProducerTokens;
import io.tophat.security.Secrets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code tophat token ID}: the producer's token under the device secret, for provisioning a phone. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Prints a producer's token: the HMAC of its id under the device secret, which the phone sends "
                + "as Authorization: Bearer TOKEN (or ?token=TOKEN) on registration and heartbeats. Needs no "
                + "running server.")
final class TokenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "The producer's id.")
    String id;

    @Option(names = "--device-secret-file", paramLabel = "FILE",
            description = "The device secret, as the servers have it (its first line signs); else env "
                    + SecurityOptions.DEVICE_SECRET_ENV + ".")
    Path deviceSecretFile;

    @Override
    public Integer call() {
        String problem = ProducerId.problem(id);
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        Secrets secrets;
        try {
            secrets = SecurityOptions.secrets(deviceSecretFile, "--device-secret-file", SecurityOptions.DEVICE_SECRET_ENV);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (secrets == null) {
            throw new ParameterException(spec.commandLine(), "pass --device-secret-file FILE (or set "
                    + SecurityOptions.DEVICE_SECRET_ENV + ")");
        }
        spec.commandLine().getOut().println(new ProducerTokens(secrets).token(id));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
