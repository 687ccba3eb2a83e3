package dev.keyward.agent.client;

import dev.keyward.agent.protocol.CredentialChallenge;
import dev.keyward.agent.protocol.CredentialRequest;
import dev.keyward.agent.protocol.CredentialResponse;
import dev.keyward.agent.protocol.EnrollRequest;
import dev.keyward.agent.protocol.EnrollResponse;
import dev.keyward.agent.protocol.HostCertRequest;
import dev.keyward.agent.protocol.HostCertResponse;
import dev.keyward.agent.protocol.InventoryAck;
import dev.keyward.agent.protocol.InventoryReport;
import dev.keyward.agent.protocol.StatusReport;
import dev.keyward.agent.protocol.UsageAck;
import dev.keyward.agent.protocol.UsageBatch;
import dev.keyward.ca.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Talks to the Keyward server. Every call but enrollment carries {@code Authorization: Bearer <credential>}.
 * Responses are capped at {@link #MAX_BODY} bytes; an error status becomes a {@link ServerException} with the
 * server's {@code {"error": "..."}} message when it sent one.
 *
 * <p>Plain {@link HttpURLConnection}, not {@code java.net.http.HttpClient}: the agent makes one request at a time,
 * and HttpClient starts a selector thread and loads the whole TLS stack (and the CA certificates) when it is
 * built, even for an {@code http://} server, which was a tenth of an idle agent's memory. Over https the TLS
 * stack loads with the first request, with the JDK's default trust store and host name verification as before.
 * No proxy (as before), no redirects, and request bodies are streamed with a fixed length, so a POST is never
 * silently re-sent.
 */
public final class AgentClient {
    static final int MAX_BODY = 64 * 1024 * 1024;
    private static final String USER_AGENT = "keyward-agent/" + StatusReport.AGENT_VERSION;

    private final URI base;
    /** Replaced by a renewal ({@link #useCredential}); read by every request. */
    private volatile String credential;
    private final Duration timeout;
    private final SSLSocketFactory tls;

    public AgentClient(URI base, String credential, Duration timeout) {
        this(base, credential, timeout, null);
    }

    /** With {@code tls} null, https uses the JDK's default socket factory (its trust store). */
    AgentClient(URI base, String credential, Duration timeout, SSLSocketFactory tls) {
        this.base = base;
        this.credential = credential;
        this.timeout = timeout;
        this.tls = tls;
    }

    /** A body with the validator that came with it. */
    public record Fetched(byte[] body, String etag) {
    }

    public EnrollResponse enroll(EnrollRequest req) throws IOException {
        return Json.read(post("/api/v1/hosts/enroll", Json.write(req), false).body(), EnrollResponse::fromJson);
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
        return Json.read(post(path, Json.write(req), true).body(), HostCertResponse::fromJson);
    }

    /** {@code POST /api/v1/agent/credential/challenge}: a challenge to sign with a host key. */
    public CredentialChallenge credentialChallenge() throws IOException {
        return Json.read(post("/api/v1/agent/credential/challenge", Json.write(java.util.Map.of()), true).body(),
                CredentialChallenge::fromJson);
    }

    /** {@code POST /api/v1/agent/credential}: the signed challenge for a new credential. */
    public CredentialResponse renewCredential(CredentialRequest req) throws IOException {
        return Json.read(post("/api/v1/agent/credential", Json.write(req), true).body(), CredentialResponse::fromJson);
    }

    /** Sends {@code newCredential} from the next request on (after a renewal stored it). */
    public void useCredential(String newCredential) {
        this.credential = newCredential;
    }

    public UsageAck usage(UsageBatch batch) throws IOException {
        return Json.read(post("/api/v1/agent/usage", Json.write(batch), true).body(), UsageAck::fromJson);
    }

    public InventoryAck inventory(InventoryReport report) throws IOException {
        return Json.read(post("/api/v1/agent/inventory", Json.write(report), true).body(), InventoryAck::fromJson);
    }

    /**
     * {@code POST /api/v1/agent/status}. False when the server has no such route (404: a server older than the
     * agent), which is not an error: the report waits for a server that takes it.
     */
    public boolean status(StatusReport report) throws IOException {
        try {
            post("/api/v1/agent/status", Json.write(report), true);
            return true;
        } catch (ServerException e) {
            if (e.status() == 404) {
                return false;
            }
            throw e;
        }
    }

    private Optional<Fetched> conditionalGet(String path, String etag, Duration requestTimeout) throws IOException {
        HttpURLConnection c = open(path, true, requestTimeout);
        c.setRequestMethod("GET");
        if (etag != null && !etag.isEmpty()) {
            c.setRequestProperty("If-None-Match", etag);
        }
        return Optional.ofNullable(exchange(c, null, 200, 304));
    }

    private Fetched post(String path, byte[] body, boolean auth) throws IOException {
        HttpURLConnection c = open(path, auth, timeout);
        c.setRequestMethod("POST");
        c.setRequestProperty("Content-Type", "application/json");
        c.setDoOutput(true);
        c.setFixedLengthStreamingMode(body.length);
        return exchange(c, body, 200);
    }

    private HttpURLConnection open(String path, boolean auth, Duration requestTimeout) throws IOException {
        if (auth && (credential == null || credential.isEmpty())) {
            throw new IllegalStateException("no host credential: run 'keyward-agent enroll' first");
        }
        HttpURLConnection c = (HttpURLConnection) base.resolve(path).toURL().openConnection(Proxy.NO_PROXY);
        if (tls != null && c instanceof HttpsURLConnection https) {
            https.setSSLSocketFactory(tls);
        }
        c.setInstanceFollowRedirects(false);
        c.setUseCaches(false);
        c.setConnectTimeout(millis(timeout));
        c.setReadTimeout(millis(requestTimeout));
        c.setRequestProperty("User-Agent", USER_AGENT);
        c.setRequestProperty("Accept", "application/json");
        if (auth) {
            c.setRequestProperty("Authorization", "Bearer " + credential);
        }
        return c;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    /** Sends; returns null for 304 when allowed, the body for an expected status, else throws. */
    private Fetched exchange(HttpURLConnection c, byte[] body, int... expected) throws IOException {
        String what = c.getRequestMethod() + " " + c.getURL().getPath();
        int status;
        try {
            if (body != null) {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            status = c.getResponseCode();
        } catch (IOException e) {
            c.disconnect();
            throw new ServerException(what + ": server unreachable (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        byte[] answer;
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            answer = in == null ? new byte[0] : in.readNBytes(MAX_BODY + 1);
        } catch (IOException e) {
            c.disconnect();
            throw new ServerException(what + ": reading the answer failed (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        if (answer.length > MAX_BODY) {
            c.disconnect();
            throw new ServerException(status, c.getURL().getPath() + ": response larger than " + MAX_BODY);
        }
        for (int e : expected) {
            if (status == e) {
                return status == 304 ? null : new Fetched(answer, c.getHeaderField("ETag"));
            }
        }
        throw new ServerException(status, what + " answered " + status + errorMessage(answer));
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
