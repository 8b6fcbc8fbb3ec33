package io.tophat.cli;

import io.tophat.client.TopHatHttpClients;
import io.tophat.phones.MqttBridge;
import io.tophat.phones.MqttBridgeConfig;
import io.tophat.security.ProducerTokens;
import io.tophat.security.Secrets;
import org.eclipse.paho.client.mqttv3.MqttException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code tophat mqtt-bridge}: OwnTracks over MQTT into TopHat, losing nothing the broker handed over. */
@Command(name = "mqtt-bridge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Subscribes to OwnTracks' MQTT topics (QoS 1, a persistent session) and stores each message "
                + "through the balancer's /pub, acknowledging it to the broker only once it is stored; the "
                + "producer is USER:DEVICE from the topic's second and third levels.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped (SIGTERM, Ctrl-C)", "1:the broker could not be reached or refused the bridge",
                "2:the command line is wrong"})
final class MqttBridgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--broker", paramLabel = "URL", defaultValue = "${env:TOPHAT_MQTT_BROKER:-"
            + MqttBridgeConfig.DEFAULT_BROKER + "}",
            description = "The MQTT broker, tcp://HOST:PORT or ssl://HOST:PORT (default: ${DEFAULT-VALUE}, env "
                    + "TOPHAT_MQTT_BROKER).")
    URI broker;

    @Option(names = "--topic", paramLabel = "FILTER", defaultValue = MqttBridgeConfig.DEFAULT_TOPIC,
            description = "The topic filter, at QoS 1 (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--balancer", paramLabel = "HOST:PORT", defaultValue = "localhost:5000",
            converter = HostPortConverter.class, description = "The balancer (default: ${DEFAULT-VALUE}).")
    URI balancer;

    @Option(names = "--client-id", paramLabel = "ID", defaultValue = MqttBridgeConfig.DEFAULT_CLIENT_ID,
            description = "The MQTT client id; the broker keeps this session's messages while the bridge is away, "
                    + "so one id per bridge (default: ${DEFAULT-VALUE}).")
    String clientId;

    @Option(names = "--mqtt-user", paramLabel = "NAME", defaultValue = "${env:TOPHAT_MQTT_USER}",
            description = "The broker's user name (env TOPHAT_MQTT_USER; default: none).")
    String mqttUser;

    @Option(names = "--mqtt-password-file", paramLabel = "FILE",
            description = "A file whose first line is the broker's password; else env TOPHAT_MQTT_PASSWORD.")
    Path mqttPasswordFile;

    @Option(names = "--device-secret-file", paramLabel = "FILE",
            description = "The device secret, to send each producer's token to a balancer that asks for one; else "
                    + "env " + SecurityOptions.DEVICE_SECRET_ENV + "; none for an open deployment.")
    Path deviceSecretFile;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long one call to the balancer may take (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Mixin
    CaOption trust = new CaOption();

    @Override
    public Integer call() throws Exception {
        MqttBridgeConfig config;
        ProducerTokens tokens;
        try {
            config = new MqttBridgeConfig(broker, topic, clientId, mqttUser, mqttPassword(), balancer, timeout);
            Secrets secrets = SecurityOptions.secrets(deviceSecretFile, "--device-secret-file",
                    SecurityOptions.DEVICE_SECRET_ENV);
            tokens = secrets == null ? null : new ProducerTokens(secrets);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        Lifecycle lifecycle = new Lifecycle();
        MqttBridge bridge = new MqttBridge(config, TopHatHttpClients.create(timeout, trust.ca),
                tokens == null ? null : tokens::token);
        lifecycle.started("MQTT bridge", () -> {
            bridge.close();
            System.out.println("TopHat MQTT bridge stopped: " + bridge.counts());
        });
        try {
            bridge.start();
        } catch (MqttException e) {
            spec.commandLine().getErr().println("cannot subscribe at the broker " + broker + ": " + e.getMessage());
            lifecycle.stopAll();
            return 1;
        }
        System.out.println("TopHat MQTT bridge on " + broker + " " + topic + " -> " + balancer);
        lifecycle.awaitShutdown();
        return 0;
    }

    private String mqttPassword() {
        if (mqttPasswordFile != null) {
            try {
                return Files.readAllLines(mqttPasswordFile).stream().findFirst().map(String::strip)
                        .orElseThrow(() -> new IllegalArgumentException("--mqtt-password-file " + mqttPasswordFile
                                + " is empty"));
            } catch (IOException e) {
                throw new IllegalArgumentException("--mqtt-password-file " + mqttPasswordFile + " cannot be read");
            }
        }
        String env = System.getenv("TOPHAT_MQTT_PASSWORD");
        return env == null || env.isEmpty() ? null : env;
    }
}
