package io.tophat.client;

/** The streamed formats of a history export. */
public enum ExportFormat {
    NDJSON("ndjson"), CSV("csv"), GEOJSON("geojson");

    private final String parameter;

    ExportFormat(String parameter) {
        this.parameter = parameter;
    }

    /** The {@code ?format=} value. */
    public String parameter() {
        return parameter;
    }
}
