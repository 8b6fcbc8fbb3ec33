package io.tophat.testing;

import io.tophat.testing.HeartbeatGen.GeneratedHeartbeat;
import net.jqwik.api.RandomGenerator;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Mutated HTTP requests for the fuzz test, reproducible from one seed: requests to every route of both servers,
 * then damaged in one to three ways (random bytes, truncated or deeply nested JSON, huge numbers, invalid UTF-8 and
 * lone surrogates, wrong methods, missing, bad and duplicate headers, bad Content-Length, garbage chunked bodies,
 * bad percent-encoding, odd versions). Destructive membership calls never name the real worker. Against servers
 * with credentials on, half the requests may also carry a credential that must not pass.
 */
public final class RequestFuzzer {
    /** Which server a request goes to. */
    public enum Target { WORKER, BALANCER }

    /**
     * One request. {@code heartbeatId} is set when it is a heartbeat POST (so a 200 means something was stored);
     * {@code incomplete} when it promises more bytes than it carries.
     */
    public record FuzzRequest(Target target, byte[] bytes, boolean incomplete, String heartbeatId, byte[] body,
                              String mutations) {
        public String describe() {
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            return target + " [" + mutations + "] " + (text.length() > 600 ? text.substring(0, 600) + "..." : text);
        }
    }

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FOO", "get"};
    private static final String[] BAD_ESCAPES = {"%zz", "%", "%4", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "%FF", "%e9", "%00", "%2F", "%25"};
    private static final byte[][] BAD_UTF8 = {{(byte) 0xC0, (byte) 0xAF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xFF}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
            {(byte) 0xC0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}};

    private final Random random;
    private final RandomGenerator<GeneratedHeartbeat> heartbeats = HeartbeatGen.heartbeats().generator(1000);
    private final int workerPort;
    private final Intruder intruder;
    private long counter;

    /**
     * What requests to servers with credentials on try: {@code wrongCredentials(producer)} gives the credentials
     * that must not pass for a request naming {@code producer} (a forged token for it, another producer's token, a
     * secret that is not the cluster's); {@code victims} are producers whose heartbeats are stored for real (the
     * test adds to it), which a third of the requests name instead of a fresh id, so that a request let through by
     * mistake would change something the test can see. Such requests may also name the real worker.
     */
    public record Intruder(Function<String, List<String>> wrongCredentials, List<String> victims) {
    }

    public RequestFuzzer(long seed, int workerPort) {
        this(seed, workerPort, null);
    }

    /**
     * A fuzzer for servers with credentials on: half the requests carry one of the intruder's wrong credentials,
     * as {@code Authorization: Bearer} or {@code ?token=}, a third name a victim, and destructive membership calls
     * may name the real worker. Null: the requests of {@link #RequestFuzzer(long, int)}, the same for the same seed.
     */
    public RequestFuzzer(long seed, int workerPort, Intruder intruder) {
        this.random = new Random(seed);
        this.workerPort = workerPort;
        this.intruder = intruder;
    }

    /** A valid generated heartbeat with a fresh id. */
    public GeneratedHeartbeat heartbeat() {
        return heartbeats.next(random).value();
    }

    public String freshId(String prefix) {
        return prefix + (++counter);
    }

    public FuzzRequest next() {
        Request r = random.nextBoolean() ? workerRequest() : balancerRequest();
        StringBuilder applied = new StringBuilder();
        if (intruder != null && random.nextBoolean()) {
            applied.append(presentWrongCredential(r)).append(", ");
        }
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            applied.append(i == 0 ? "" : ", ").append(mutate(r));
        }
        byte[] bytes = r.render();
        if (r.truncate) {
            bytes = java.util.Arrays.copyOf(bytes, random.nextInt(Math.max(1, bytes.length)));
        }
        return new FuzzRequest(r.target, bytes, (r.incomplete && !r.chunked) || r.truncate, r.heartbeatId, r.body,
                applied.toString());
    }

    /** Adds one of the wrong credentials for the request's producer, as a header or in the query; says which. */
    private String presentWrongCredential(Request r) {
        List<String> choices = intruder.wrongCredentials().apply(r.producer);
        String credential = choices.get(random.nextInt(choices.size()));
        if (random.nextBoolean()) {
            r.header("Authorization", "Bearer " + credential);
            return "wrong credential in Authorization";
        }
        r.path = r.path + (r.path.contains("?") ? "&" : "?") + "token="
                + java.net.URLEncoder.encode(credential, StandardCharsets.UTF_8);
        return "wrong credential in ?token=";
    }

    /** A fresh id, or with an intruder a third of the time a victim's. */
    private String producerId() {
        String fresh = freshId("fz");
        if (intruder == null || random.nextInt(3) != 0) {
            return fresh;
        }
        List<String> victims = intruder.victims();
        synchronized (victims) {
            return victims.isEmpty() ? fresh : victims.get(random.nextInt(victims.size()));
        }
    }

    private Request workerRequest() {
        String id = producerId();
        Request r = named(id, switch (random.nextInt(8)) {
            case 0, 1, 2 -> heartbeatRequest(id, "/heartbeat");
            case 3 -> heartbeatRequest(id, "/api/v1/heartbeats");
            case 4 -> get(Target.WORKER, "/get_data/" + id);
            case 5 -> get(Target.WORKER, "/get_data_location/some%20place");
            case 6 -> get(Target.WORKER, "/api/v1/producers/" + id + (random.nextBoolean() ? "" : "/history?from=0&to=99&limit=5"));
            default -> get(Target.WORKER, random.nextBoolean() ? "/api/v1/status" : "/health");
        });
        return r;
    }

    private static Request named(String id, Request r) {
        r.producer = r.heartbeatId != null ? r.heartbeatId : id;
        return r;
    }

    private Request heartbeatRequest(String fuzzId, String path) {
        Request r = new Request(Target.WORKER, "POST", path);
        r.header("Content-Type", "application/json");
        GeneratedHeartbeat hb = heartbeat();
        boolean victim = !fuzzId.startsWith("fz");
        String id = victim ? fuzzId : hb.numericId() ? fuzzId.replace("fz", "88") : fuzzId;
        // a victim's id that is not digits goes as a string, so that the forged heartbeat is well formed
        r.body = hb.numericId() && !id.chars().allMatch(Character::isDigit) ? bodyWithQuotedId(hb, id) : hb.body(id);
        r.heartbeatId = id;
        return r;
    }

    /** The body of a heartbeat generated with a numeric id, with {@code id} as a string instead. */
    private static byte[] bodyWithQuotedId(GeneratedHeartbeat hb, String id) {
        return (hb.before() + "\"" + id + "\"" + hb.after()).getBytes(StandardCharsets.UTF_8);
    }

    private Request balancerRequest() {
        String id = producerId();
        String wid = "10.9." + random.nextInt(256) + "." + random.nextInt(256) + ":" + (1 + random.nextInt(65535));
        int port = otherPort();
        if (intruder != null && random.nextInt(3) == 0) {
            // with credentials on, the real worker too: none of these may reach it
            wid = "127.0.0.1:" + workerPort;
            port = workerPort;
        }
        return named(id, switch (random.nextInt(13)) {
            case 0 -> get(Target.BALANCER, "/balancer/" + port + (random.nextBoolean() ? "" : "?host=fuzz-" + counter + ".example"));
            case 1 -> get(Target.BALANCER, "/worker/quit/" + port + "?host=fuzz.example");
            case 2 -> get(Target.BALANCER, "/register/" + id + (random.nextBoolean() ? "" : "?failed=http://" + wid));
            case 3 -> get(Target.BALANCER, "/get_data/" + id);
            case 4 -> get(Target.BALANCER, "/api/v1/producers/" + id + (random.nextBoolean() ? "" : "/history?limit=3"));
            case 5 -> json(Target.BALANCER, "POST", "/api/v1/producers/" + id + "/assignment", "");
            case 6 -> json(Target.BALANCER, "POST", "/api/v1/workers", "{\"url\":\"http://" + wid + "\",\"store\":\"s" + counter
                    + "\",\"lease_interval_ms\":1000}");
            case 7 -> json(Target.BALANCER, "PUT", "/api/v1/workers/" + wid + "/lease",
                    "{\"producers_cached\":1,\"heartbeats_per_second\":2.5,\"queue_depth\":0,\"p99_ingest_ms\":1.0,\"store\":\"x\"}");
            case 8 -> json(Target.BALANCER, "DELETE", "/api/v1/workers/" + wid, "");
            case 9 -> json(Target.BALANCER, "POST", "/api/v1/workers/" + wid + "/drain", "");
            case 10 -> get(Target.BALANCER, "/api/v1/cluster");
            case 11 -> get(Target.BALANCER, "/health");
            default -> get(Target.BALANCER, "/" + id);
        });
    }

    private int otherPort() {
        int port;
        do {
            port = 1 + random.nextInt(65535);
        } while (port == workerPort);
        return port;
    }

    private static Request get(Target target, String path) {
        return new Request(target, "GET", path);
    }

    private static Request json(Target target, String method, String path, String body) {
        Request r = new Request(target, method, path);
        r.header("Content-Type", "application/json");
        r.body = body.getBytes(StandardCharsets.UTF_8);
        return r;
    }

    /** Applies one random mutation; returns its name. */
    private String mutate(Request r) {
        switch (random.nextInt(24)) {
            case 0 -> {
                r.body = java.util.Arrays.copyOf(r.body, random.nextInt(r.body.length + 1));
                return "body truncated";
            }
            case 1 -> {
                if (r.body.length > 0) {
                    r.body[random.nextInt(r.body.length)] = (byte) random.nextInt(256);
                }
                return "body byte replaced";
            }
            case 2 -> {
                r.body = splice(r.body, randomBytes(1 + random.nextInt(40)));
                return "random bytes in body";
            }
            case 3 -> {
                r.body = randomBytes(random.nextInt(2000));
                return "body of random bytes";
            }
            case 4 -> {
                r.body = replaceData(r.body, ("1" + "7".repeat(random.nextInt(3000))).getBytes(StandardCharsets.US_ASCII));
                return "huge number";
            }
            case 5 -> {
                int depth = 1 + random.nextInt(3000);
                r.body = replaceData(r.body, ("[".repeat(depth) + "]".repeat(random.nextInt(depth + 1))).getBytes(StandardCharsets.US_ASCII));
                return "deep nesting";
            }
            case 6 -> {
                byte[] bad = BAD_UTF8[random.nextInt(BAD_UTF8.length)];
                r.body = replaceData(r.body, concat(new byte[]{'"', 'x'}, bad, new byte[]{'y', '"'}));
                return "invalid UTF-8 in a string";
            }
            case 7 -> {
                String[] lone = {"\"\\ud800\"", "\"\\udc00x\"", "\"a\\uD83D\"", "\"\\ud83d\\u0041\"", "{\"\\udfff\":1}", "\"\\u12\"", "\"\\x41\""};
                r.body = replaceData(r.body, lone[random.nextInt(lone.length)].getBytes(StandardCharsets.US_ASCII));
                return "bad escape";
            }
            case 8 -> {
                String text = new String(r.body, StandardCharsets.ISO_8859_1);
                int brace = text.indexOf('{');
                if (brace >= 0) {
                    r.body = (text.substring(0, brace + 1) + "\"data\":1," + text.substring(brace + 1)).getBytes(StandardCharsets.ISO_8859_1);
                }
                return "duplicate member";
            }
            case 9 -> {
                r.method = METHODS[random.nextInt(METHODS.length)];
                return "method " + r.method;
            }
            case 10 -> {
                String escape = BAD_ESCAPES[random.nextInt(BAD_ESCAPES.length)];
                int at = 1 + random.nextInt(r.path.length());
                r.path = r.path.substring(0, at) + escape + r.path.substring(at);
                return "escape " + escape + " in target";
            }
            case 11 -> {
                r.path = r.path + (r.path.contains("?") ? "&" : "?") + "failed=" + BAD_ESCAPES[random.nextInt(BAD_ESCAPES.length)]
                        + "&host=" + BAD_ESCAPES[random.nextInt(BAD_ESCAPES.length)] + "&from=x%20y&limit=-1";
                return "bad query";
            }
            case 12 -> {
                r.path = r.path + "/" + "a".repeat(random.nextInt(10_000));
                return "long path";
            }
            case 13 -> {
                r.rawPathBytes = concat(r.path.getBytes(StandardCharsets.US_ASCII), BAD_UTF8[random.nextInt(BAD_UTF8.length)]);
                return "raw non-ASCII bytes in target";
            }
            case 14 -> {
                r.omitHost = true;
                return "no Host";
            }
            case 15 -> {
                String[] hosts = {"a b", "[::1", "%zz", "", "evil.example:99999", "x:y:z", "a\tb", "127.0.0.1:0"};
                r.header("Host", hosts[random.nextInt(hosts.length)]);
                return "extra or bad Host";
            }
            case 16 -> {
                String[] lengths = {"abc", "-1", "99999999999999999999", "1, 2", "0x10", "+5", ""};
                if (random.nextInt(4) == 0) {
                    r.contentLengthDelta = -1;
                    return "Content-Length one short of the body";
                }
                r.contentLength = lengths[random.nextInt(lengths.length)];
                return "Content-Length '" + r.contentLength + "'";
            }
            case 17 -> {
                r.contentLengthDelta = 1 + random.nextInt(100);
                r.incomplete = true;
                return "Content-Length larger than the body";
            }
            case 18 -> {
                r.extraHeaders.add("Content-Length: " + (r.body.length + 1));
                return "two Content-Lengths";
            }
            case 19 -> {
                r.chunked = true;
                r.chunkGarbage = random.nextBoolean();
                return r.chunkGarbage ? "garbage chunked body" : "chunked body";
            }
            case 20 -> {
                String[] versions = {"HTTP/9.9", "HTTP/0.9", "HTTP/1.2", "HTTP/2.0", "FOO/1.1", "HTTP/1", "http/1.1"};
                r.version = versions[random.nextInt(versions.length)];
                return "version " + r.version;
            }
            case 21 -> {
                String[] headers = {"X-No-Colon", "X-Big: " + "b".repeat(9000), ": empty-name", "Content-Type: text/plain",
                        "Content-Type: application/json; charset=latin1", "Expect: 100-continue", "Connection: upgrade",
                        "Upgrade: websocket", "Transfer-Encoding: gzip", "Content-Encoding: gzip"};
                r.extraHeaders.add(headers[random.nextInt(headers.length)]);
                return "odd header";
            }
            case 22 -> {
                r.requestLine = new String(randomBytes(1 + random.nextInt(60)), StandardCharsets.ISO_8859_1).replace("\r", "").replace("\n", "");
                return "garbage request line";
            }
            default -> {
                r.truncate = true;
                return "request truncated";
            }
        }
    }

    private byte[] replaceData(byte[] body, byte[] value) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"data\"");
        if (at < 0) {
            return concat(body, value);
        }
        int colon = text.indexOf(':', at);
        return concat(text.substring(0, colon + 1).getBytes(StandardCharsets.ISO_8859_1), value,
                ",\"z\":0}".getBytes(StandardCharsets.US_ASCII));
    }

    private byte[] splice(byte[] into, byte[] insert) {
        int at = random.nextInt(into.length + 1);
        return concat(java.util.Arrays.copyOf(into, at), insert, java.util.Arrays.copyOfRange(into, at, into.length));
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A request as parts, rendered to bytes once mutated. */
    private static final class Request {
        final Target target;
        String method;
        String path;
        String version = "HTTP/1.1";
        String requestLine;
        byte[] rawPathBytes;
        final List<String> headers = new ArrayList<>();
        final List<String> extraHeaders = new ArrayList<>();
        byte[] body = new byte[0];
        String heartbeatId;
        /** The producer the request names (its heartbeat's id, or the id in its path). */
        String producer;
        String contentLength;
        int contentLengthDelta;
        boolean omitHost;
        boolean chunked;
        boolean chunkGarbage;
        boolean incomplete;
        boolean truncate;

        Request(Target target, String method, String path) {
            this.target = target;
            this.method = method;
            this.path = path;
        }

        void header(String name, String value) {
            headers.add(name + ": " + value);
        }

        byte[] render() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (requestLine != null) {
                out.writeBytes(requestLine.getBytes(StandardCharsets.ISO_8859_1));
            } else {
                out.writeBytes((method + " ").getBytes(StandardCharsets.US_ASCII));
                out.writeBytes(rawPathBytes != null ? rawPathBytes : path.getBytes(StandardCharsets.US_ASCII));
                out.writeBytes((" " + version).getBytes(StandardCharsets.US_ASCII));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            List<String> all = new ArrayList<>();
            if (!omitHost) {
                all.add("Host: 127.0.0.1");
            }
            all.addAll(headers);
            all.add("Connection: close");
            if (chunked) {
                all.add("Transfer-Encoding: chunked");
            } else if (contentLength != null) {
                all.add("Content-Length: " + contentLength);
            } else if (body.length > 0 || contentLengthDelta != 0 || method.equals("POST") || method.equals("PUT")) {
                all.add("Content-Length: " + Math.max(0, body.length + contentLengthDelta));
            }
            all.addAll(extraHeaders);
            for (String h : all) {
                out.writeBytes((h + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            if (chunked) {
                if (body.length == 0 && !chunkGarbage) {
                    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else if (chunkGarbage) {
                    out.writeBytes("zz\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(body);
                    out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } else {
                    out.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(body);
                    out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            } else {
                out.writeBytes(body);
            }
            return out.toByteArray();
        }
    }
}
