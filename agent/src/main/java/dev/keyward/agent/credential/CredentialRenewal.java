package dev.keyward.agent.credential;

import dev.keyward.agent.client.AgentClient;
import dev.keyward.agent.client.ServerException;
import dev.keyward.agent.cycle.StatusStore;
import dev.keyward.agent.protocol.CredentialChallenge;
import dev.keyward.agent.protocol.CredentialRequest;
import dev.keyward.agent.protocol.CredentialResponse;
import dev.keyward.agent.trust.HostCerts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The cycle's first step: renews the host credential once two thirds of its lifetime are over (PROTOCOL-agent.md
 * section 7). It asks for a challenge, signs it with the first host key whose private key signs and that the
 * server accepts (a key the host did not enroll is refused with 403, and the next is tried), and trades it for a
 * new credential. The new credential is stored (0600, temp + fsync + rename) before the agent uses it; the server
 * keeps the old one valid until then, so a crash at any point leaves a credential that works.
 *
 * <p>A failed attempt fails the cycle and is retried after a backoff ({@link #backoff}), kept in
 * {@code credential.json}, so the cycles in between run at their usual pace. An expired credential cannot be
 * renewed: the step then fails every cycle with what to do (re-enroll with a new join token).
 */
public final class CredentialRenewal {
    static final long BACKOFF_MIN_SECONDS = 30;
    static final long BACKOFF_MAX_SECONDS = 3600;
    /** How long to wait before asking again a server that does not offer renewal (404). */
    static final Duration UNSUPPORTED_RETRY = Duration.ofHours(1);

    private final StatusStore store;
    private final HostKeySigner signer;
    private final HostCerts certs;
    private final String hostId;

    public CredentialRenewal(StatusStore store, HostKeySigner signer, HostCerts certs, String hostId) {
        this.store = store;
        this.signer = signer;
        this.certs = certs;
        this.hostId = hostId;
    }

    /** What a renewal step did: a note (what changed), a warning, or nothing; failures are thrown. */
    public record Outcome(String note, String warning) {
        static final Outcome NOTHING = new Outcome(null, null);
    }

    /** Whether this cycle would ask the server (for {@code --dry-run}, which asks nothing). */
    public boolean due(Instant now) throws IOException {
        CredentialInfo info = store.credentialInfo();
        return info.due(now) && !info.backingOff(now);
    }

    public Outcome run(AgentClient client, Instant now) throws IOException {
        CredentialInfo info = store.credentialInfo();
        if (info.expired(now)) {
            throw new IOException(expiredMessage(info.expiresAt(), hostId));
        }
        if (!info.due(now) || info.backingOff(now)) {
            return Outcome.NOTHING;
        }
        try {
            CredentialChallenge c = client.credentialChallenge();
            CredentialInfo current = info.withLifetime(c.credentialIssuedAt(), c.credentialExpiresAt());
            if (!current.due(now)) { // an enrollment from before the agent tracked expiry: now it knows
                store.saveCredentialInfo(current.settled());
                return new Outcome("host credential expires at " + current.expiresAt() + "; renewal from "
                        + current.renewAt().orElseThrow(), null);
            }
            CredentialResponse r = renew(client, checked(c.challenge()));
            String credential = checkedCredential(r.credential());
            CredentialInfo renewed = current.renewed(r.issuedAt(), r.expiresAt(), now);
            store.saveCredential(credential); // durable before first use: until then the old one stays valid
            client.useCredential(credential);
            store.saveCredentialInfo(renewed);
            return new Outcome("host credential renewed; the new one expires at "
                    + (renewed.known() ? renewed.expiresAt() : "(the server did not say)"), null);
        } catch (ServerException e) {
            if (e.status() == 404 && !info.known()) {
                store.saveCredentialInfo(info.failed("the server does not offer credential renewal",
                        now.plus(UNSUPPORTED_RETRY)));
                return new Outcome(null, "credential: the server does not offer credential renewal (404); the"
                        + " credential's expiry is unknown; asking again after " + now.plus(UNSUPPORTED_RETRY));
            }
            throw failed(info, now, e);
        } catch (IOException | RuntimeException e) {
            throw failed(info, now, e);
        }
    }

    /** Signs the challenge with each host key in turn until the server accepts one. */
    private CredentialResponse renew(AgentClient client, String challenge) throws IOException {
        List<String> why = new ArrayList<>();
        for (HostCerts.HostKey k : certs.hostKeys()) {
            String signature;
            try {
                signature = signer.sign(k, challenge.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                why.add(e.getMessage());
                continue;
            }
            try {
                return client.renewCredential(new CredentialRequest(challenge, k.line(), signature));
            } catch (ServerException e) {
                if (e.status() != 403) {
                    throw e;
                }
                why.add(k.pubPath() + ": " + e.getMessage()); // not an enrolled key, say: the challenge is still good
            }
        }
        throw new IOException("no host key could renew the credential"
                + (why.isEmpty() ? " (no host public keys match host_keys)" : ": " + String.join("; ", why)));
    }

    private IOException failed(CredentialInfo info, Instant now, Exception e) throws IOException {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Duration left = info.expires().map(t -> Duration.between(now, t)).orElse(null);
        Instant retry = now.plus(backoff(info.failures() + 1, left));
        store.saveCredentialInfo(info.failed(message, retry));
        return new IOException("renewal failed: " + message + " (next attempt after " + retry
                + (info.known() ? "; the credential expires at " + info.expiresAt() : "") + ")", e);
    }

    /**
     * 30 s doubling to 1 h per failure in a row, but at most a quarter of the time the credential has left (at
     * least 5 s), so several attempts fit before it expires.
     */
    static Duration backoff(long failures, Duration left) {
        long s = Math.min(BACKOFF_MAX_SECONDS, BACKOFF_MIN_SECONDS << Math.min(Math.max(failures - 1, 0), 16));
        if (left != null) {
            s = Math.min(s, Math.max(5, left.toSeconds() / 4));
        }
        return Duration.ofSeconds(s);
    }

    /**
     * What a person reading the agent's log or status must do about an expired credential. {@code hostId} may be
     * null (then the id is left for them to look up).
     */
    public static String expiredMessage(String expiresAt, String hostId) {
        return "the host credential expired at " + expiresAt + " and cannot be renewed: re-enroll this host with a"
                + " new join token (an admin calls POST /api/v1/hosts/" + (hostId == null ? "{id}" : hostId)
                + "/join-token, then run 'keyward-agent enroll --join-token-file FILE' here)";
    }

    private static String checked(String challenge) throws IOException {
        if (challenge == null || challenge.isEmpty() || challenge.length() > 256
                || !challenge.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new IOException("the server's challenge is missing or malformed");
        }
        return challenge;
    }

    private static String checkedCredential(String credential) throws IOException {
        if (credential == null || credential.isEmpty() || credential.length() > 256
                || !credential.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            throw new IOException("the server's renewal answer has no usable credential");
        }
        return credential;
    }
}
