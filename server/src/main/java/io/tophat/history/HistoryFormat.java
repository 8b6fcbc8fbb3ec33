package io.tophat.history;

import java.util.Locale;

/** How a history is answered: a JSON page, or the whole range streamed as NDJSON, CSV or GeoJSON. */
public enum HistoryFormat {
    JSON("json", "application/json"),
    NDJSON("ndjson", "application/x-ndjson"),
    CSV("csv", "text/csv; charset=utf-8"),
    GEOJSON("geojson", "application/geo+json");

    private final String name;
    private final String contentType;

    HistoryFormat(String name, String contentType) {
        this.name = name;
        this.contentType = contentType;
    }

    public String contentType() {
        return contentType;
    }

    /** The {@code ?format=} value. */
    public String parameter() {
        return name;
    }

    /** True for the formats that stream the whole range in one answer. */
    public boolean streamed() {
        return this != JSON;
    }

    /**
     * By {@code ?format=} (exact names), else by the first media type of {@code Accept} that is exactly one of
     * these (q-values are not weighed); JSON otherwise, {@code *}{@code /*} included.
     */
    public static HistoryFormat choose(String format, String accept) {
        if (format != null && !format.isEmpty()) {
            for (HistoryFormat f : values()) {
                if (f.name.equals(format.trim().toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new IllegalArgumentException("format must be json, ndjson, csv or geojson, not '"
                    + io.tophat.http.WireText.echo(format) + "'");
        }
        if (accept != null) {
            for (String part : accept.split(",")) {
                String type = part.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
                for (HistoryFormat f : values()) {
                    if (f.contentType.split(";", 2)[0].equals(type)) {
                        return f;
                    }
                }
            }
        }
        return JSON;
    }
}
