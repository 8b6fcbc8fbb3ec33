package io.tophat.phones;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.UnaryOperator;

/**
 * OwnTracks over MQTT into TopHat: subscribes at QoS 1 in a persistent session and hands each message to the
 * balancer's {@code /pub}, as the OwnTracks app would over HTTP, acknowledging it to the broker only once the
 * balancer answered that its worker stored it. A bridge that dies leaves its unacknowledged messages with the
 * broker, which delivers them again to the next bridge of the same client id; the worker stores a position sent
 * twice once (its {@code seq} is its time).
 */
public final class MqttBridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MqttBridge.class);
    private static final long FIRST_RETRY_MS = 200;
    private static final long LONGEST_RETRY_MS = 5_000;

    private final MqttBridgeConfig config;
    private final HttpClient http;
    private final UnaryOperator<String> tokenOf;
    private final MqttClient client;
    private volatile boolean closed;
    private long stored;
    private long dropped;

    /**
     * @param http    the client of the balancer
     * @param tokenOf each producer's token from its id, or null for an open deployment
     */
    public MqttBridge(MqttBridgeConfig config, HttpClient http, UnaryOperator<String> tokenOf) throws MqttException {
        this.config = config;
        this.http = http;
        this.tokenOf = tokenOf;
        this.client = new MqttClient(config.broker().toString(), config.clientId(), new MemoryPersistence());
    }

    /** Connects and subscribes; messages flow from here on, one at a time, on the MQTT client's thread. */
    public void start() throws MqttException {
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(false);
        options.setAutomaticReconnect(true);
        options.setMaxInflight(100);
        if (config.mqttUser() != null) {
            options.setUserName(config.mqttUser());
        }
        if (config.mqttPassword() != null) {
            options.setPassword(config.mqttPassword().toCharArray());
        }
        client.setManualAcks(true);
        client.setCallback(new MqttCallbackExtended() {
            @Override
            public void connectComplete(boolean reconnect, String serverURI) {
                if (reconnect) {
                    LOG.info("reconnected to the broker at {}", serverURI);
                    subscribe();
                }
            }

            @Override
            public void connectionLost(Throwable cause) {
                if (!closed) {
                    LOG.warn("lost the broker ({}); reconnecting", cause.getMessage());
                }
            }

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                deliver(topic, message);
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // the bridge publishes nothing
            }
        });
        client.connect(options);
        subscribe();
        LOG.info("bridging {} at {} (client id {}) to the balancer at {}", config.topic(), config.broker(),
                config.clientId(), config.balancer());
    }

    private void subscribe() {
        try {
            client.subscribe(config.topic(), 1);
        } catch (MqttException e) {
            LOG.warn("cannot subscribe to {} ({}); the next reconnection tries again", config.topic(), e.getMessage());
        }
    }

    /** Stores one message, retrying while the balancer cannot; acknowledges it once stored or refused for good. */
    private void deliver(String topic, MqttMessage message) {
        String[] levels = topic.split("/", -1);
        String producer;
        try {
            producer = OwnTracks.producer(levels.length > 1 ? levels[1] : null, levels.length > 2 ? levels[2] : null);
        } catch (PhoneMessageException e) {
            drop(message, topic, e.detail());
            return;
        }
        long wait = FIRST_RETRY_MS;
        boolean failing = false;
        while (!closed) {
            int status;
            String answer;
            long retryAfterMs = -1;
            try {
                HttpResponse<String> r = http.send(request(producer, levels, message.getPayload()),
                        HttpResponse.BodyHandlers.ofString());
                status = r.statusCode();
                answer = r.body();
                retryAfterMs = r.headers().firstValue("Retry-After").map(MqttBridge::seconds).orElse(-1L);
            } catch (IOException e) {
                status = 0;
                answer = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (status == 200) {
                acknowledge(message);
                stored++;
                if (failing) {
                    LOG.info("the balancer stores messages again");
                }
                return;
            }
            if (status == 400 || status == 413) {
                drop(message, topic, "the balancer refused it: " + answer);
                return;
            }
            if (!failing) {
                LOG.warn("the balancer did not store a message of {} ({}); retrying until it does", topic,
                        status == 0 ? "unreachable: " + answer : "answered " + status);
                failing = true;
            }
            // a 429 or 503 says when to come back; otherwise back off, doubling
            sleep(retryAfterMs >= 0 ? retryAfterMs : wait);
            wait = Math.min(LONGEST_RETRY_MS, wait * 2);
        }
    }

    /** A {@code Retry-After} of whole seconds in milliseconds, at most the longest pause; -1 when unreadable. */
    private static long seconds(String retryAfter) {
        try {
            return Math.min(LONGEST_RETRY_MS, Math.max(0, Long.parseLong(retryAfter.strip())) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private HttpRequest request(String producer, String[] levels, byte[] payload) {
        HttpRequest.Builder b = HttpRequest.newBuilder(config.balancer().resolve("/pub"))
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("X-Limit-U", levels[1])
                .header("X-Limit-D", levels[2])
                .POST(HttpRequest.BodyPublishers.ofByteArray(payload));
        if (tokenOf != null) {
            String pair = levels[1] + ":" + tokenOf.apply(producer);
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        return b.build();
    }

    private void drop(MqttMessage message, String topic, String why) {
        dropped++;
        LOG.warn("dropped a message of {}: {}", topic, why);
        acknowledge(message);
    }

    private void acknowledge(MqttMessage message) {
        try {
            client.messageArrivedComplete(message.getId(), message.getQos());
        } catch (MqttException e) {
            LOG.warn("cannot acknowledge a message to the broker ({}); it will come again", e.getMessage());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Messages stored and dropped (malformed) so far. */
    public String counts() {
        return stored + " stored, " + dropped + " dropped as malformed";
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (client.isConnected()) {
                client.disconnect(2_000);
            }
            client.close();
        } catch (MqttException e) {
            LOG.warn("closing the MQTT client: {}", e.getMessage());
        }
    }
}
