package io.tophat.client;

import java.net.URI;

/** Sends one heartbeat to one worker ({@code POST /heartbeat}) and says what the answer means. */
final class HeartbeatPoster {
    private final Transport transport;

    HeartbeatPoster(Transport transport) {
        this.transport = transport;
    }

    PostOutcome post(URI worker, OutgoingHeartbeat heartbeat) throws InterruptedException {
        Reply reply;
        try {
            reply = transport.postJson(Endpoints.resolve(worker, "/heartbeat"), heartbeat.toJson());
        } catch (UnreachableException e) {
            return new PostOutcome.WorkerFailed(e.getMessage());
        }
        return classify(reply);
    }

    /**
     * Sends several heartbeats of one producer as one batch ({@code POST /api/v1/producers/{id}/heartbeats}),
     * stored all or nothing.
     */
    PostOutcome postBatch(URI worker, java.util.List<OutgoingHeartbeat> batch) throws InterruptedException {
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(160 * batch.size());
        body.write('[');
        for (int i = 0; i < batch.size(); i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(batch.get(i).toJson());
        }
        body.write(']');
        Reply reply;
        try {
            reply = transport.postJson(Endpoints.resolve(worker, "/api/v1/producers/" + batch.get(0).producer()
                    + "/heartbeats"), body.toByteArray());
        } catch (UnreachableException e) {
            return new PostOutcome.WorkerFailed(e.getMessage());
        }
        return classify(reply);
    }

    static PostOutcome classify(Reply reply) {
        int status = reply.status();
        if (reply.isSuccess()) {
            return new PostOutcome.Acknowledged();
        }
        if (status == 503 || status == 429) {
            return new PostOutcome.Overloaded(reply.retryAfter(), describe(reply));
        }
        if (status >= 500) {
            return new PostOutcome.WorkerFailed(describe(reply));
        }
        if (status >= 400 && status != 409 && status != 410) {
            return new PostOutcome.Rejected(status, reply.serverMessage());
        }
        return new PostOutcome.Moved(status, describe(reply));
    }

    private static String describe(Reply reply) {
        String message = reply.serverMessage();
        return reply.uri() + " answered " + reply.status() + (message.isEmpty() ? "" : ": " + message);
    }
}
