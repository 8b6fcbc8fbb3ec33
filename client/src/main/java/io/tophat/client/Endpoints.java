package io.tophat.client;

import java.net.URI;
import java.util.List;

/** Checks and normalises the base addresses (balancers, workers) the library is given or told about. */
final class Endpoints {

    private Endpoints() {
    }

    /** Returns {@code uri} without a trailing slash, or throws when it is not an absolute http(s) address with a host. */
    static URI base(URI uri) {
        if (uri == null || uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new IllegalArgumentException("'" + uri + "' is not a base address such as http://127.0.0.1:5000");
        }
        String text = uri.toString();
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        return URI.create(text);
    }

    static List<URI> bases(List<URI> uris) {
        if (uris == null || uris.isEmpty()) {
            throw new IllegalArgumentException("at least one balancer address is needed");
        }
        return uris.stream().map(Endpoints::base).toList();
    }

    static URI resolve(URI base, String path) {
        return URI.create(base.toString() + path);
    }
}
