package io.tophat.balancer;

import io.netty.util.NetUtil;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * The checks on a worker's address as a registrant states it: a base URL {@code http(s)://host:port} with a host
 * name or address, a port from 1 to 65535, and no user info, path, query or fragment; or a bare host to combine
 * with a port. Only an address that passes becomes a {@link Worker}'s URL, so a redirect can only ever point at a
 * worker's own base URL.
 */
final class WorkerAddress {
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private WorkerAddress() {
    }

    /** Null when {@code host} is a host name, an IPv4 address or an IPv6 address (bracketed or not). */
    static String hostProblem(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare) || HOST_NAME.matcher(host).matches()) {
            return null;
        }
        return "the host must be a host name or an IP address, without a port, path, query or user info";
    }

    /** The host as it stands in a URL: an IPv6 address in brackets. */
    static String forUrl(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** Null when {@code url} is a worker base URL {@code http(s)://host:port}, else a sentence saying what is wrong. */
    static String urlProblem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // the JDK's reason is its own phrase: say where, in our words
            return "url is not a URL" + (e.getIndex() >= 0 ? " (a character that cannot be there, at position "
                    + e.getIndex() + ")" : "") + "; give http://host:port";
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            return "url must start with http:// or https://";
        }
        if (uri.getRawUserInfo() != null) {
            return "url must not carry user info";
        }
        if (uri.getHost() == null || hostProblem(uri.getHost()) != null) {
            return "url must name a host: a host name or an IP address";
        }
        if (uri.getPort() < 1 || uri.getPort() > 65535) {
            return "url must give a port between 1 and 65535";
        }
        if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return "url must be a base URL, without a path, query or fragment";
        }
        return null;
    }
}
