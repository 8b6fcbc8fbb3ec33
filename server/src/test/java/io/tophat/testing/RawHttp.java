package io.tophat.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Sends bytes that may not be HTTP at all to a server over a plain socket and reads one answer, for tests that
 * need requests no HTTP client would send. One connection per exchange.
 */
public final class RawHttp {
    /** How one exchange ended. */
    public enum Outcome { ANSWERED, CLOSED_WITHOUT_ANSWER, NO_ANSWER_IN_TIME }

    /** The first answer on the connection: its status, header block and body. */
    public record Answer(Outcome outcome, int status, String head, byte[] body) {
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private RawHttp() {
    }

    /**
     * Writes {@code request} and reads the answer. When {@code incomplete} (the request promises bytes it does not
     * carry), the write side is shut after it, so the server sees the client end instead of waiting for more.
     */
    public static Answer exchange(int port, byte[] request, boolean incomplete, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) timeout.toMillis());
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
                if (incomplete) {
                    socket.shutdownOutput();
                }
            } catch (IOException e) {
                // the server may close early, for example after refusing a request line; read what it answered
            }
            return read(socket.getInputStream());
        }
    }

    /**
     * Reads one answer from a connection the caller holds: returns once its body is complete (a keep-alive
     * connection stays open), at the end of the stream, or at the socket's read timeout.
     */
    public static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int headEnd = -1;
        long bodyLength = -1;
        try {
            while (true) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (java.net.SocketException reset) {
                    n = -1;
                }
                if (n < 0) {
                    break;
                }
                received.write(buffer, 0, n);
                byte[] bytes = received.toByteArray();
                if (headEnd < 0) {
                    headEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    if (headEnd >= 0 && bytes.length > 9 && bytes[9] == '1') {
                        // an interim answer (100 Continue): the real one follows it
                        byte[] rest = java.util.Arrays.copyOfRange(bytes, headEnd + 4, bytes.length);
                        received.reset();
                        received.write(rest, 0, rest.length);
                        bytes = rest;
                        headEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    if (headEnd >= 0) {
                        String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
                        bodyLength = contentLength(head);
                    }
                }
                if (headEnd >= 0 && bodyLength >= 0 && bytes.length >= headEnd + 4 + bodyLength) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            if (headEnd < 0) {
                return new Answer(Outcome.NO_ANSWER_IN_TIME, -1, new String(received.toByteArray(),
                        StandardCharsets.ISO_8859_1), new byte[0]);
            }
        }
        byte[] bytes = received.toByteArray();
        if (headEnd < 0) {
            return new Answer(Outcome.CLOSED_WITHOUT_ANSWER, -1, new String(bytes, StandardCharsets.ISO_8859_1), new byte[0]);
        }
        String head = new String(bytes, 0, headEnd, StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(head.split(" ", 3)[1]);
        int end = bodyLength < 0 ? bytes.length : (int) Math.min(bytes.length, headEnd + 4 + bodyLength);
        byte[] body = java.util.Arrays.copyOfRange(bytes, headEnd + 4, end);
        return new Answer(Outcome.ANSWERED, status, head, body);
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(15).trim());
            }
        }
        return -1;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[i + k] != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
