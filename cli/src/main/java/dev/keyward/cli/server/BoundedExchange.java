package dev.keyward.cli.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * One HTTP exchange with a peer of the CLI (the Keyward server, the identity provider): the answer whatever its
 * status, its body capped at {@code maxBody} bytes, and every transport failure turned into one line for the
 * engineer that names the peer ("cannot reach the identity provider at https://idp: connection refused").
 */
public final class BoundedExchange {
    private BoundedExchange() {
    }

    /** The status, the body as sent and the {@code Location} header. */
    public record Answer(int status, byte[] body, Optional<String> location) {
    }

    /** Makes the exception the caller throws, from a message and its cause. */
    public interface Failure {
        RuntimeException of(String message, Throwable cause);
    }

    /**
     * Sends {@code req}. {@code peer} names whom ("the Keyward server at https://ca.example.com"), {@code what} the
     * step ("requesting a certificate"), {@code refusedHint} is added to "connection refused" (may be empty).
     */
    public static Answer send(HttpClient http, HttpRequest req, Duration timeout, int maxBody, String peer,
            String what, String refusedHint, Failure fail) {
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw fail.of("interrupted while " + what, e);
        } catch (HttpConnectTimeoutException e) {
            throw fail.of("cannot reach " + peer + ": connection timed out", e);
        } catch (HttpTimeoutException e) {
            throw fail.of(peer + " did not answer within " + timeout.toSeconds() + " s (" + what + ")", e);
        } catch (ConnectException e) {
            throw fail.of("cannot reach " + peer + ": connection refused" + refusedHint, e);
        } catch (IOException e) {
            throw fail.of("cannot reach " + peer + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : Printable.clean(e.getMessage(), 200)),
                    e);
        }
        byte[] bytes;
        try (InputStream in = resp.body()) {
            bytes = in.readNBytes(maxBody + 1);
        } catch (IOException e) {
            throw fail.of("the connection to " + peer + " broke while " + what, e);
        }
        if (bytes.length > maxBody) {
            throw fail.of("the answer of " + peer + " to " + what + " is larger than " + maxBody + " bytes", null);
        }
        return new Answer(resp.statusCode(), bytes, resp.headers().firstValue("Location"));
    }
}
