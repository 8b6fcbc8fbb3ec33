package io.tophat.cli;

import io.tophat.security.AuthConfig;
import io.tophat.security.RateLimit;
import io.tophat.security.Secrets;
import io.tophat.security.SecurityConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * Who may call a balancer or worker: {@code --auth}, the cluster and device secrets (from files, or the
 * environment, never the command line), the producers' rate limit, and the HTTP layer's limits and TLS.
 */
final class SecurityOptions {
    static final String CLUSTER_SECRET_ENV = "TOPHAT_CLUSTER_SECRET";
    static final String DEVICE_SECRET_ENV = "TOPHAT_DEVICE_SECRET";

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--auth", paramLabel = "secret|none", defaultValue = "${env:TOPHAT_AUTH:-secret}",
            description = "secret: every call needs a credential (the cluster secret, a producer token or a consumer "
                    + "key); none: the report's open protocol, anyone who can reach the port may do anything "
                    + "(a warning at every start) (default: ${DEFAULT-VALUE}, env TOPHAT_AUTH).")
    String auth;

    @Option(names = "--cluster-secret-file", paramLabel = "FILE",
            description = "The cluster secret, shared by every balancer and worker and held by operators: one or "
                    + "more lines, the first sent, every one accepted (rotation); else env " + CLUSTER_SECRET_ENV
                    + ". Needed unless --auth none.")
    Path clusterSecretFile;

    @Option(names = "--device-secret-file", paramLabel = "FILE",
            description = "The device secret producer tokens are derived from (tophat token ID prints one): lines "
                    + "as for --cluster-secret-file, the first signs, every one is accepted; else env "
                    + DEVICE_SECRET_ENV + ". Needed unless --auth none.")
    Path deviceSecretFile;

    @Option(names = "--producer-rate", paramLabel = "PER_SECOND",
            defaultValue = "${env:TOPHAT_PRODUCER_RATE:-" + RateLimit.DEFAULT_PRODUCER_RATE + "}",
            description = "Requests a second one producer may make (registrations, heartbeats, batches; a batch "
                    + "counts once), beyond its burst: 429 with Retry-After; 0 for no limit "
                    + "(default: ${DEFAULT-VALUE}, env TOPHAT_PRODUCER_RATE).")
    double producerRate;

    @Option(names = "--producer-burst", paramLabel = "N",
            defaultValue = "${env:TOPHAT_PRODUCER_BURST:-" + RateLimit.DEFAULT_PRODUCER_BURST + "}",
            description = "Requests one producer may make at once before --producer-rate applies "
                    + "(default: ${DEFAULT-VALUE}, env TOPHAT_PRODUCER_BURST).")
    int producerBurst;

    @picocli.CommandLine.Mixin
    HttpOptions http = new HttpOptions();

    SecurityConfig config() {
        try {
            RateLimit rate = new RateLimit(producerRate, producerBurst);
            return new SecurityConfig(auth(), rate, http.limits(), http.tls());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private AuthConfig auth() {
        String mode = auth.strip();
        if (mode.equals("none")) {
            return AuthConfig.OPEN;
        }
        if (!mode.equals("secret")) {
            throw new IllegalArgumentException("--auth is secret or none, not '" + auth + "'");
        }
        return AuthConfig.secured(secrets(clusterSecretFile, "--cluster-secret-file", CLUSTER_SECRET_ENV),
                secrets(deviceSecretFile, "--device-secret-file", DEVICE_SECRET_ENV));
    }

    /** The secrets in {@code file}, else in the environment variable, else null. */
    static Secrets secrets(Path file, String flag, String env) {
        if (file != null) {
            return Secrets.read(file, flag);
        }
        String value = System.getenv(env);
        return value == null || value.isBlank() ? null : Secrets.parse(value, env);
    }
}
