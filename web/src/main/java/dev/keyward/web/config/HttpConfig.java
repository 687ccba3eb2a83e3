package dev.keyward.web.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

/**
 * Where and how the API listens.
 *
 * @param bind         address to bind ({@code http.bind}, default 127.0.0.1)
 * @param port         TCP port ({@code http.port}, default 8080; 0 picks a free port)
 * @param insecureHttp allow plain HTTP on a non-loopback address ({@code --insecure-http})
 * @param tls          certificate and key for HTTPS ({@code http.tls.*})
 * @param limits       slow-request timeouts, connection cap and rate limits ({@code http.limits.*})
 * @param serverTiming send a {@code Server-Timing} header with each issuance: where its time went (queue, database,
 *                     signing, write, commit); {@code http.server_timing}, default off (the benchmark turns it on)
 * @param shutdownTimeout {@code http.shutdown_timeout} (default 10s, at most 1m): at shutdown the server refuses new
 *                     connections and gives the requests in flight this long to finish before it closes their
 *                     connections; {@code off} (zero) closes them at once
 */
public record HttpConfig(String bind, int port, boolean insecureHttp, Optional<TlsConfig> tls, HttpLimits limits,
        boolean serverTiming, Duration shutdownTimeout) {
    public static final int MAX_BODY_BYTES = 64 * 1024;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    static final Duration MAX_SHUTDOWN_TIMEOUT = Duration.ofMinutes(1);

    public HttpConfig {
        if (port < 0 || port > 65535) {
            throw new ConfigException("http.port must be between 0 and 65535, got " + port);
        }
        if (bind == null || bind.isBlank()) {
            throw new ConfigException("http.bind is empty; use an address such as 127.0.0.1");
        }
        if (shutdownTimeout.isNegative() || shutdownTimeout.compareTo(MAX_SHUTDOWN_TIMEOUT) > 0) {
            throw new ConfigException("http.shutdown_timeout must be off or at most 1m, got "
                    + Durations.format(shutdownTimeout));
        }
    }

    /** With the default {@link HttpLimits}. */
    public HttpConfig(String bind, int port, boolean insecureHttp, Optional<TlsConfig> tls) {
        this(bind, port, insecureHttp, tls, HttpLimits.DEFAULTS, false, DEFAULT_SHUTDOWN_TIMEOUT);
    }

    public HttpConfig withInsecureHttp(boolean insecure) {
        return new HttpConfig(bind, port, insecure, tls, limits, serverTiming, shutdownTimeout);
    }

    public HttpConfig withPort(int newPort) {
        return new HttpConfig(bind, newPort, insecureHttp, tls, limits, serverTiming, shutdownTimeout);
    }

    /** Whether {@link #bind} is a loopback address (only those may serve plain HTTP without --insecure-http). */
    public boolean isLoopback() {
        try {
            for (InetAddress a : InetAddress.getAllByName(bind)) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            throw new ConfigException("http.bind '" + bind + "' does not resolve: " + e.getMessage());
        }
    }

    /** Refuses plain HTTP on a non-loopback address unless explicitly allowed. */
    public void checkTransportSecurity() {
        if (tls.isEmpty() && !insecureHttp && !isLoopback()) {
            throw new ConfigException("http.bind is " + bind + ", which is not a loopback address, and http.tls is not"
                    + " configured: set http.tls.cert_file and http.tls.key_file, or pass --insecure-http if TLS is"
                    + " terminated in front of Keyward");
        }
    }
}
