package dev.keyward.agent.client;

import dev.keyward.agent.protocol.EnrollRequest;
import dev.keyward.agent.protocol.EnrollResponse;
import dev.keyward.agent.protocol.HostCertRequest;
import dev.keyward.agent.protocol.HostCertResponse;
import dev.keyward.agent.protocol.InventoryAck;
import dev.keyward.agent.protocol.InventoryReport;
import dev.keyward.agent.protocol.Json;
import dev.keyward.agent.protocol.UsageAck;
import dev.keyward.agent.protocol.UsageBatch;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Talks to the Keyward server. Every call but enrollment carries {@code Authorization: Bearer <credential>}.
 * Responses are capped at {@link #MAX_BODY} bytes; an error status becomes a {@link ServerException} with the
 * server's {@code {"error": "..."}} message when it sent one.
 */
public final class AgentClient {
    static final int MAX_BODY = 64 * 1024 * 1024;
    private static final String USER_AGENT = "keyward-agent/0.1";

    private final URI base;
    private final String credential;
    private final Duration timeout;
    private final HttpClient http;

    public AgentClient(URI base, String credential, Duration timeout) {
        this.base = base;
        this.credential = credential;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A body with the validator that came with it. */
    public record Fetched(byte[] body, String etag) {
    }

    public EnrollResponse enroll(EnrollRequest req) throws IOException {
        return Json.read(send(post("/api/v1/hosts/enroll", Json.write(req), false), 200).body(),
                EnrollResponse::fromJson);
    }

    /**
     * {@code GET /api/v1/agent/state}: empty when the server answers 304 (nothing changed since {@code etag}).
     * With {@code waitSeconds > 0} the server may hold the request that long waiting for a change.
     */
    public Optional<Fetched> state(String etag, int waitSeconds) throws IOException {
        String path = "/api/v1/agent/state" + (waitSeconds > 0 ? "?wait=" + waitSeconds : "");
        return conditionalGet(path, etag, timeout.plusSeconds(waitSeconds));
    }

    /** Fetches the KRL at {@code path} (from the state document); empty on 304. */
    public Optional<Fetched> krl(String path, String etag) throws IOException {
        return conditionalGet(path, etag, timeout);
    }

    public HostCertResponse renewHostCerts(String path, HostCertRequest req) throws IOException {
        return Json.read(send(post(path, Json.write(req), true), 200).body(), HostCertResponse::fromJson);
    }

    public UsageAck usage(UsageBatch batch) throws IOException {
        return Json.read(send(post("/api/v1/agent/usage", Json.write(batch), true), 200).body(), UsageAck::fromJson);
    }

    public InventoryAck inventory(InventoryReport report) throws IOException {
        return Json.read(send(post("/api/v1/agent/inventory", Json.write(report), true), 200).body(),
                InventoryAck::fromJson);
    }

    private Optional<Fetched> conditionalGet(String path, String etag, Duration requestTimeout) throws IOException {
        HttpRequest.Builder b = request(path, true).timeout(requestTimeout).GET();
        if (etag != null && !etag.isEmpty()) {
            b.header("If-None-Match", etag);
        }
        Fetched f = send(b.build(), 200, 304);
        return f == null ? Optional.empty() : Optional.of(f);
    }

    private HttpRequest post(String path, byte[] body, boolean auth) {
        return request(path, auth).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private HttpRequest.Builder request(String path, boolean auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).header("User-Agent", USER_AGENT)
                .header("Accept", "application/json");
        if (auth) {
            if (credential == null || credential.isEmpty()) {
                throw new IllegalStateException("no host credential: run 'keyward-agent enroll' first");
            }
            b.header("Authorization", "Bearer " + credential);
        }
        return b;
    }

    /** Sends; returns null for 304 when allowed, the body for an expected status, else throws. */
    private Fetched send(HttpRequest req, int... expected) throws IOException {
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerException("interrupted", e);
        } catch (IOException e) {
            throw new ServerException(req.method() + " " + req.uri().getPath() + ": server unreachable ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        byte[] body;
        try (InputStream in = resp.body()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new ServerException(resp.statusCode(), req.uri().getPath() + ": response larger than " + MAX_BODY);
        }
        int status = resp.statusCode();
        for (int e : expected) {
            if (status == e) {
                return status == 304 ? null : new Fetched(body, resp.headers().firstValue("ETag").orElse(null));
            }
        }
        throw new ServerException(status, req.method() + " " + req.uri().getPath() + " answered " + status
                + errorMessage(body));
    }

    private static String errorMessage(byte[] body) {
        try {
            if (Json.parseObject(body).get("error") instanceof String m) {
                return ": " + (m.length() > 300 ? m.substring(0, 300) : m);
            }
        } catch (IOException | RuntimeException notJson) {
            // fall through: no message
        }
        return "";
    }
}
