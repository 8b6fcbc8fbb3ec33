package io.tophat.bench;

import io.netty.buffer.ByteBuf;

/**
 * Finds where HTTP/1.1 answers end in the bytes a connection receives, and reads of each only what the load
 * generator needs: the status code, whether the server closes the connection after it, and whether it carries
 * a Retry-After header. Handles
 * Content-Length, chunked bodies, answers without a body (1xx, 204, 304) and bodies that end with the connection.
 * One reader per connection, reused for every answer; no allocation per answer.
 */
final class ResponseReader {
    /** The longest answer head accepted; a longer one is a protocol error. */
    static final int MAX_HEAD = 16 * 1024;

    private enum State { HEAD, BODY, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILER, UNTIL_CLOSE, DONE }

    private final byte[] head = new byte[MAX_HEAD];
    private State state = State.HEAD;
    private int headLength;
    private long remaining;
    private long chunkSize;
    private boolean chunkSizeDone;
    private int trailerLineLength;
    private int status;
    private boolean closeAfter;
    private boolean retryAfter;

    /** Prepares for the next answer. */
    void reset() {
        state = State.HEAD;
        headLength = 0;
        status = 0;
        closeAfter = false;
        retryAfter = false;
    }

    int status() {
        return status;
    }

    /** Whether the server said {@code Connection: close}, or the body ends with the connection. */
    boolean closeAfter() {
        return closeAfter;
    }

    /** Whether the answer's head has a {@code Retry-After} header (with a value). */
    boolean retryAfter() {
        return retryAfter;
    }

    /** Whether the answer so far ends where the connection closes (no length given): then a close completes it. */
    boolean endsAtClose() {
        return state == State.UNTIL_CLOSE;
    }

    /**
     * Reads {@code data}; true when it completed the answer (bytes after the answer are ignored: the generator
     * never pipelines). Throws {@link IllegalStateException} on bytes that are not an HTTP/1.x answer.
     */
    boolean feed(ByteBuf data) {
        int n = data.writerIndex();
        int i = data.readerIndex();
        while (i < n) {
            switch (state) {
                case HEAD -> i = readHead(data, i, n);
                case BODY -> {
                    long take = Math.min(remaining, n - i);
                    remaining -= take;
                    i += (int) take;
                    if (remaining == 0) {
                        state = State.DONE;
                    }
                }
                case CHUNK_SIZE -> i = readChunkSize(data, i, n);
                case CHUNK_DATA -> {
                    long take = Math.min(remaining, n - i);
                    remaining -= take;
                    i += (int) take;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_END;
                        remaining = 2;
                    }
                }
                case CHUNK_DATA_END -> {
                    long take = Math.min(remaining, n - i);
                    remaining -= take;
                    i += (int) take;
                    if (remaining == 0) {
                        state = State.CHUNK_SIZE;
                        chunkSize = 0;
                        chunkSizeDone = false;
                    }
                }
                case TRAILER -> i = readTrailer(data, i, n);
                case UNTIL_CLOSE -> i = n;
                case DONE -> {
                    return true;
                }
            }
        }
        return state == State.DONE;
    }

    private int readHead(ByteBuf data, int from, int n) {
        int before = headLength;
        int take = Math.min(n - from, MAX_HEAD - headLength);
        if (take == 0) {
            throw new IllegalStateException("answer head longer than " + MAX_HEAD + " bytes");
        }
        data.getBytes(from, head, headLength, take);
        headLength += take;
        for (int i = Math.max(3, before); i < headLength; i++) {
            if (head[i] == '\n' && head[i - 1] == '\r' && head[i - 2] == '\n') {
                headLength = i + 1;
                startBody();
                return from + (headLength - before);
            }
        }
        return from + take;
    }

    private void startBody() {
        if (headLength < 12 || head[0] != 'H' || head[1] != 'T' || head[2] != 'T' || head[3] != 'P' || head[8] != ' ') {
            throw new IllegalStateException("not an HTTP/1.x answer");
        }
        status = digit(head[9]) * 100 + digit(head[10]) * 10 + digit(head[11]);
        boolean http10 = head[7] == '0';
        long contentLength = -1;
        boolean chunked = false;
        closeAfter = http10;
        int line = indexAfterNewline(0);
        while (line < headLength - 2) {
            int end = indexAfterNewline(line);
            if (startsWithIgnoreCase(line, "content-length:")) {
                contentLength = parseLong(line + 15, end);
            } else if (startsWithIgnoreCase(line, "transfer-encoding:")) {
                chunked = containsIgnoreCase(line + 18, end, "chunked");
            } else if (startsWithIgnoreCase(line, "connection:")) {
                if (containsIgnoreCase(line + 11, end, "close")) {
                    closeAfter = true;
                } else if (containsIgnoreCase(line + 11, end, "keep-alive")) {
                    closeAfter = false;
                }
            } else if (startsWithIgnoreCase(line, "retry-after:")) {
                retryAfter = hasValue(line + 12, end);
            }
            line = end;
        }
        if (status < 200 || status == 204 || status == 304) {
            state = State.DONE;
        } else if (chunked) {
            state = State.CHUNK_SIZE;
            chunkSize = 0;
            chunkSizeDone = false;
        } else if (contentLength >= 0) {
            remaining = contentLength;
            state = contentLength == 0 ? State.DONE : State.BODY;
        } else {
            closeAfter = true;
            state = State.UNTIL_CLOSE;
        }
    }

    private int readChunkSize(ByteBuf data, int from, int n) {
        for (int i = from; i < n; i++) {
            byte b = data.getByte(i);
            if (b == '\n') {
                if (chunkSize == 0) {
                    state = State.TRAILER;
                    trailerLineLength = 0;
                } else {
                    state = State.CHUNK_DATA;
                    remaining = chunkSize;
                }
                return i + 1;
            }
            if (b == ';' || b == '\r' || b == ' ') {
                chunkSizeDone = true;
            } else if (!chunkSizeDone) {
                int v = Character.digit(b, 16);
                if (v < 0) {
                    throw new IllegalStateException("bad chunk size");
                }
                chunkSize = chunkSize * 16 + v;
            }
        }
        return n;
    }

    private int readTrailer(ByteBuf data, int from, int n) {
        for (int i = from; i < n; i++) {
            byte b = data.getByte(i);
            if (b == '\n') {
                if (trailerLineLength == 0) {
                    state = State.DONE;
                    return i + 1;
                }
                trailerLineLength = 0;
            } else if (b != '\r') {
                trailerLineLength++;
            }
        }
        return n;
    }

    private int indexAfterNewline(int from) {
        for (int i = from; i < headLength; i++) {
            if (head[i] == '\n') {
                return i + 1;
            }
        }
        return headLength;
    }

    private boolean startsWithIgnoreCase(int at, String lowerCase) {
        if (at + lowerCase.length() > headLength) {
            return false;
        }
        for (int k = 0; k < lowerCase.length(); k++) {
            if (Character.toLowerCase(head[at + k]) != lowerCase.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private boolean containsIgnoreCase(int from, int to, String lowerCase) {
        for (int i = from; i + lowerCase.length() <= to; i++) {
            if (startsWithIgnoreCase(i, lowerCase)) {
                return true;
            }
        }
        return false;
    }

    private boolean hasValue(int from, int to) {
        for (int i = from; i < to; i++) {
            if (head[i] > ' ') {
                return true;
            }
        }
        return false;
    }

    private long parseLong(int from, int to) {
        long v = 0;
        boolean any = false;
        for (int i = from; i < to; i++) {
            byte b = head[i];
            if (b >= '0' && b <= '9') {
                v = v * 10 + (b - '0');
                any = true;
            } else if (any || (b != ' ' && b != '\t')) {
                break;
            }
        }
        if (!any) {
            throw new IllegalStateException("bad Content-Length");
        }
        return v;
    }

    private static int digit(byte b) {
        if (b < '0' || b > '9') {
            throw new IllegalStateException("bad status code");
        }
        return b - '0';
    }
}
