package io.tophat.phones;

import java.net.URI;
import java.time.Duration;

/**
 * What {@code tophat mqtt-bridge} runs with.
 *
 * @param broker       the MQTT broker, {@code tcp://HOST:1883} (or {@code ssl://HOST:8883})
 * @param topic        the topic filter to subscribe to, QoS 1; a topic's second and third levels are the user
 *                     and the device
 * @param clientId     the MQTT client id: the broker keeps this session's subscription and unacknowledged
 *                     messages while the bridge is away
 * @param mqttUser     the broker's user name, or null
 * @param mqttPassword the broker's password, or null
 * @param balancer     the balancer whose {@code /pub} stores the messages
 * @param timeout      how long one call to the balancer may take
 */
public record MqttBridgeConfig(URI broker, String topic, String clientId, String mqttUser, String mqttPassword,
                               URI balancer, Duration timeout) {
    public static final String DEFAULT_BROKER = "tcp://localhost:1883";
    public static final String DEFAULT_TOPIC = "owntracks/+/+";
    public static final String DEFAULT_CLIENT_ID = "tophat-mqtt-bridge";

    public MqttBridgeConfig {
        String scheme = broker.getScheme();
        if (!"tcp".equals(scheme) && !"ssl".equals(scheme)) {
            throw new IllegalArgumentException("--broker is tcp://HOST:PORT or ssl://HOST:PORT, not " + broker);
        }
        if (topic == null || topic.isBlank() || topic.split("/", -1).length < 3) {
            throw new IllegalArgumentException("--topic needs at least three levels, owntracks/USER/DEVICE, such as "
                    + DEFAULT_TOPIC);
        }
        if (clientId == null || clientId.isEmpty()) {
            throw new IllegalArgumentException("--client-id must not be empty");
        }
    }
}
