package io.tophat.client;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Asks the balancers for a worker ({@code GET /register/{id}}), trying them in turn and starting with the one
 * that answered last.
 */
final class BalancerClient {
    private final List<URI> balancers;
    private final Transport transport;
    private int preferred;

    BalancerClient(List<URI> balancers, Transport transport) {
        this.balancers = balancers;
        this.transport = transport;
    }

    /**
     * Returns the base address of the worker assigned to {@code producerId}. {@code failedWorker}, when not null,
     * is the worker that just failed this producer, passed as {@code ?failed=} so the balancer picks another.
     *
     * @throws ServerStatusException when a balancer refused (for example 400 "No workers are online right now")
     * @throws UnreachableException  when no balancer could be reached
     */
    synchronized URI register(String producerId, URI failedWorker) throws InterruptedException {
        String path = "/register/" + producerId
                + (failedWorker == null ? "" : "?failed=" + URLEncoder.encode(failedWorker.toString(), StandardCharsets.UTF_8));
        TopHatException refusal = null;
        UnreachableException unreachable = null;
        for (int i = 0; i < balancers.size(); i++) {
            int index = (preferred + i) % balancers.size();
            try {
                Reply reply = transport.get(Endpoints.resolve(balancers.get(index), path));
                if (reply.status() == 200) {
                    preferred = index;
                    return workerAddress(reply);
                }
                refusal = refusal != null ? refusal : reply.failure();
            } catch (NotAWorkerAddressException e) {
                refusal = refusal != null ? refusal : e;
            } catch (UnreachableException e) {
                unreachable = e;
            }
        }
        throw refusal != null ? refusal : unreachable;
    }

    private static URI workerAddress(Reply reply) {
        String text = reply.text().strip();
        try {
            return Endpoints.base(URI.create(text));
        } catch (IllegalArgumentException e) {
            throw new NotAWorkerAddressException(reply.uri() + " answered 200 with '" + shorten(text) + "', which is not a worker address");
        }
    }

    private static final class NotAWorkerAddressException extends TopHatException {
        NotAWorkerAddressException(String message) {
            super(message);
        }
    }

    private static String shorten(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "..." : text;
    }
}
