package dev.keyward.web.http.limits;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.util.IO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code max} open connections per client address ({@code http.limits.connections_per_source}; an IPv6
 * client is its /64). Jetty tells this listener about each socket its acceptor takes, before the socket gets an
 * endpoint, a connection object, a TLS handshake or a thread; one more than the cap is closed right there. The
 * address is the TCP peer: behind a reverse proxy every connection comes from the proxy.
 *
 * <p>Counted per channel, so that Jetty's notifications (accept failed, or closed, once each) cannot count a socket
 * twice. Memory is one entry per open socket and one per address with open sockets.
 */
public final class ConnectionsPerSource implements SelectorManager.AcceptListener {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionsPerSource.class);

    private static final long WARN_INTERVAL_NANOS = 60_000_000_000L;

    private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
    private final int max;
    private final Runnable onRefused;
    private final ConcurrentHashMap<SelectableChannel, String> counted = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> open = new ConcurrentHashMap<>();

    /** {@code onRefused} runs for each connection closed over the cap (a metric). */
    public ConnectionsPerSource(int max, Runnable onRefused) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        this.max = max;
        this.onRefused = onRefused;
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        String source = source(channel);
        if (source == null) {
            return;
        }
        int[] now = new int[1];
        open.compute(source, (k, n) -> {
            AtomicInteger c = n == null ? new AtomicInteger() : n;
            now[0] = c.incrementAndGet();
            return c;
        });
        counted.put(channel, source);
        if (now[0] > max) {
            onRefused.run();
            long t = System.nanoTime();
            long last = lastWarning.get();
            if (t - last >= WARN_INTERVAL_NANOS && lastWarning.compareAndSet(last, t)) { // a flood must not flood the log
                LOG.warn("{} has {} connections open, the most http.limits.connections_per_source allows; closing"
                        + " further ones at once (logged at most once a minute)", source, max);
            }
            IO.close(channel); // Jetty then reports the accept as failed, which releases the count
        }
    }

    @Override
    public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
        release(channel);
    }

    @Override
    public void onClosed(SelectableChannel channel) {
        release(channel);
    }

    /** Open connections from {@code source} (a key as {@link ClientAddress#key} makes it). */
    public int open(String source) {
        AtomicInteger n = open.get(source);
        return n == null ? 0 : n.get();
    }

    private void release(SelectableChannel channel) {
        String source = counted.remove(channel);
        if (source != null) {
            open.computeIfPresent(source, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
        }
    }

    private static String source(SelectableChannel channel) {
        try {
            if (channel instanceof SocketChannel s && s.getRemoteAddress() instanceof InetSocketAddress a
                    && a.getAddress() != null) {
                return ClientAddress.key(a.getAddress());
            }
        } catch (IOException e) {
            // already closed by the peer: Jetty's accept fails and nothing was counted
        }
        return null;
    }
}
