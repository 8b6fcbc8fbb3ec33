package io.tophat.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Counts the open connections of one {@link HttpService}, all its event loops together, and per source address,
 * and refuses a new one beyond either cap ({@link HttpLimits#maxConnections()},
 * {@link HttpLimits#maxConnectionsPerAddress()}) as soon as it is accepted: a pre-built 503 with Retry-After, then
 * close. A connection counts from its admission until its channel closes.
 *
 * <p>Admitting a connection allocates nothing but, for an address not seen among the open connections, its
 * counter. An address's counter leaves the map when its last connection closes: the closer marks it dead (-1)
 * before removing it, and an admission that finds a dead counter waits for the fresh one, so no count is lost.
 *
 * <p>A cap logs one WARN line when it starts refusing and one INFO line when it stops, which is when its count is
 * down to half the cap: a client hovering at the cap does not log a pair of lines per connection.
 */
final class ConnectionCaps {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionCaps.class);

    private final Cap total;
    private final int perAddressMax;
    private final ConcurrentHashMap<InetAddress, Cap> byAddress = new ConcurrentHashMap<>();
    private final Function<InetAddress, Cap> newAddressCap;
    private final ByteBuf totalRefusal;
    private final ByteBuf addressRefusal;
    /**
     * One listener for every admitted connection: it finds the address again on the closed channel (a channel keeps
     * the remote address it was asked for once, as {@link #admit} does).
     */
    private final ChannelFutureListener release = future -> release(addressOf(future.channel()));

    ConnectionCaps(HttpLimits limits) {
        this.total = new Cap(limits.maxConnections(), null);
        this.perAddressMax = limits.maxConnectionsPerAddress();
        this.newAddressCap = address -> new Cap(perAddressMax, address);
        this.totalRefusal = ErrorResponder.closingAnswer(ApiException.unavailable("too many connections",
                "this server holds as many connections as it takes (" + limits.maxConnections() + ", "
                        + "--max-connections); try again in a moment", 1));
        this.addressRefusal = ErrorResponder.closingAnswer(ApiException.unavailable(
                "too many connections from this address", "one address may hold " + perAddressMax
                        + " connections to this server (--max-connections-per-address); close some, or try again "
                        + "in a moment", 1));
    }

    /**
     * Counts a new connection in, or refuses it: writes the 503 through {@code writer} (a context beneath the HTTP
     * encoder, above TLS) and closes the channel.
     *
     * @return whether the connection was admitted
     */
    boolean admit(Channel channel, ChannelHandlerContext writer) {
        if (!total.tryTake()) {
            refuse(writer, total, totalRefusal);
            return false;
        }
        InetAddress address = addressOf(channel);
        if (address != null && perAddressMax > 0) {
            Cap cap = takeAddress(address);
            if (cap != null) {
                // a refusal of the address's cap: the slot taken in the total goes back
                total.giveBack();
                refuse(writer, cap, addressRefusal);
                return false;
            }
        }
        channel.closeFuture().addListener(release);
        return true;
    }

    /** Connections open now; for tests. */
    int open() {
        return total.open.get();
    }

    /** Connections open now from {@code address}; for tests. */
    int open(InetAddress address) {
        Cap cap = byAddress.get(address);
        return cap == null ? 0 : Math.max(0, cap.open.get());
    }

    /** Addresses with a counter now; for tests. */
    int addresses() {
        return byAddress.size();
    }

    /** Takes a slot of {@code address}'s cap; returns null when taken, the full cap when it is full. */
    private Cap takeAddress(InetAddress address) {
        while (true) {
            Cap cap = byAddress.get(address);
            if (cap == null) {
                cap = byAddress.computeIfAbsent(address, newAddressCap);
            }
            int n = cap.open.get();
            if (n < 0) {
                // its last connection just closed and its closer is removing it: the next look finds a fresh one
                Thread.onSpinWait();
            } else if (n >= cap.max) {
                return cap;
            } else if (cap.open.compareAndSet(n, n + 1)) {
                return null;
            }
        }
    }

    private void release(InetAddress address) {
        total.giveBack();
        if (address == null || perAddressMax == 0) {
            return;
        }
        // the connection holds a slot, so its address's counter is in the map and alive
        Cap cap = byAddress.get(address);
        if (cap.giveBack() == 0 && cap.open.compareAndSet(0, -1)) {
            byAddress.remove(address, cap);
        }
    }

    private static void refuse(ChannelHandlerContext writer, Cap cap, ByteBuf answer) {
        cap.refused();
        writer.writeAndFlush(answer.duplicate()).addListener(ChannelFutureListener.CLOSE);
    }

    private static InetAddress addressOf(Channel channel) {
        SocketAddress remote = channel.remoteAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /**
     * One cap (0 for none, only counting): its count (-1 once dead, for an address's), whether it is refusing and
     * how many it refused since it started.
     */
    private static final class Cap {
        final int max;
        final int lowWater;
        /** The address counted; null for the total. */
        final InetAddress address;
        final AtomicInteger open = new AtomicInteger();
        final AtomicBoolean refusing = new AtomicBoolean();
        final AtomicLong refused = new AtomicLong();

        Cap(int max, InetAddress address) {
            this.max = max;
            this.lowWater = max / 2;
            this.address = address;
        }

        /** The total's slot; an address's goes through {@link #takeAddress}, which knows dead counters. */
        boolean tryTake() {
            if (max == 0) {
                open.incrementAndGet();
                return true;
            }
            while (true) {
                int n = open.get();
                if (n >= max) {
                    return false;
                }
                if (open.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
        }

        /** Gives a slot back; returns the count left. */
        int giveBack() {
            int n = open.decrementAndGet();
            if (n <= lowWater) {
                stopRefusing();
            }
            return n;
        }

        void refused() {
            refused.incrementAndGet();
            if (!refusing.get() && refusing.compareAndSet(false, true)) {
                if (address == null) {
                    LOG.warn("refusing new connections: {} are open, the most this server takes (--max-connections "
                            + "{}); accepting again once down to {}", open.get(), max, lowWater);
                } else {
                    LOG.warn("refusing new connections from {}: it has {} open, the most one address may "
                            + "(--max-connections-per-address {}); accepting again once down to {}",
                            address.getHostAddress(), open.get(), max, lowWater);
                }
                // the count may have fallen to the low water between the full count seen and the flag set
                if (open.get() <= lowWater) {
                    stopRefusing();
                }
            }
        }

        private void stopRefusing() {
            if (refusing.get() && refusing.compareAndSet(true, false)) {
                int now = Math.max(0, open.get());
                long count = refused.getAndSet(0);
                if (address == null) {
                    LOG.info("accepting new connections again: {} open (--max-connections {}); {} refused meanwhile",
                            now, max, count);
                } else {
                    LOG.info("accepting new connections from {} again: {} open (--max-connections-per-address {}); "
                            + "{} refused meanwhile", address.getHostAddress(), now, max, count);
                }
            }
        }
    }
}
