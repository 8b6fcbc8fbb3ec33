package io.tophat.cli;

import picocli.CommandLine;

import java.net.URI;

/**
 * Reads a server address written {@code HOST:PORT} (or a full {@code http://HOST:PORT} URL) into its base URI,
 * for example {@code http://127.0.0.1:5000}.
 */
public final class HostPortConverter implements CommandLine.ITypeConverter<URI> {

    @Override
    public URI convert(String value) {
        return parse(value);
    }

    public static URI parse(String value) {
        String v = value.trim();
        String withScheme = v.startsWith("http://") || v.startsWith("https://") ? v : "http://" + v;
        URI uri;
        try {
            uri = URI.create(withScheme);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not HOST:PORT");
        }
        if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not HOST:PORT (for example localhost:5000)");
        }
        return URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort());
    }
}
