package io.tophat.simulator;

/** Why a simulated consumer's request did not return data. */
public enum ConsumerError {
    UNKNOWN_PRODUCER("400 unknown producer"),
    NO_DATA("400 no data yet"),
    UNAVAILABLE("503 unavailable"),
    SERVER_ERROR("5xx"),
    OTHER_STATUS("other status"),
    BAD_ANSWER("bad answer"),
    CONNECTION_REFUSED("connection refused"),
    CONNECTION_ERROR("connection error"),
    TIMEOUT("timeout");

    private final String label;

    ConsumerError(String label) {
        this.label = label;
    }

    /** How the error is written in status lines, for example {@code 400 unknown producer}. */
    public String label() {
        return label;
    }
}
