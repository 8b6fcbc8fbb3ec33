package io.tophat.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a Server-Sent Events body as it arrives in chunks (the WHATWG format): lines end in LF, CRLF or CR,
 * {@code field: value} lines build a frame, a blank line ends it, lines starting with a colon are comments. The
 * balancer reads its workers' streams with it, the client library the balancer's.
 */
public final class SseReader {
    /** Receives each complete frame; {@code event} and {@code id} null when the frame had none, {@code data} too. */
    @FunctionalInterface
    public interface FrameHandler {
        void frame(String event, String id, String data);
    }

    private final FrameHandler handler;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(512);
    private boolean lastWasCr;
    private String event;
    private String id;
    private StringBuilder data;

    public SseReader(FrameHandler handler) {
        this.handler = handler;
    }

    public void feed(byte[] chunk, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            feed(chunk[i]);
        }
    }

    /** One byte of the body; a frame is handed on when the blank line that ends it is complete. */
    public void feed(byte b) {
        if (b == '\n' && lastWasCr) {
            lastWasCr = false;
            return;
        }
        lastWasCr = b == '\r';
        if (b == '\n' || b == '\r') {
            line(line.toString(StandardCharsets.UTF_8));
            line.reset();
        } else {
            line.write(b);
        }
    }

    private void line(String text) {
        if (text.isEmpty()) {
            if (event != null || id != null || data != null) {
                handler.frame(event, id, data == null ? null : data.toString());
            }
            event = null;
            id = null;
            data = null;
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1 < text.length() && text.charAt(colon + 1) == ' '
                ? colon + 2 : colon + 1);
        switch (field) {
            case "event" -> event = value;
            case "id" -> id = value;
            case "data" -> {
                if (data == null) {
                    data = new StringBuilder(value);
                } else {
                    data.append('\n').append(value);
                }
            }
            default -> {
                // unknown fields are ignored, as the format says
            }
        }
    }
}
