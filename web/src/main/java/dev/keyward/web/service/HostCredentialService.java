package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.SshSig;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.auth.ApiToken;
import dev.keyward.web.auth.ApiTokenAuthenticator;
import dev.keyward.web.auth.ApiTokenSecrets;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.HostCredentialDao;
import dev.keyward.web.db.HostDao;
import dev.keyward.web.db.HostDao.Host;
import dev.keyward.web.db.TokenDao;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Host credential renewal by proof of possession, in the manner of step-ca's SSHPOP: the agent asks for a
 * challenge (with its current credential), signs it with one of the host keys the host enrolled with
 * ({@code ssh-keygen -Y sign -n} {@value #NAMESPACE}, PROTOCOL.sshsig), and trades challenge and signature for a
 * new credential. The bearer credential alone renews nothing: a stolen credential dies at its expiry.
 *
 * <p>Challenges are single use, live {@link #CHALLENGE_TTL}, are bound to the host and stored only hashed. The new
 * credential lives {@code tokens.max_ttl} and waits in {@code hosts.pending_token_id}: the old credential stays
 * valid until the new one is first used ({@link #activate}), so an agent that crashes before storing the new one
 * keeps working with the old one and renews again (the unused one is then revoked). An expired credential cannot
 * be renewed; the host is re-enrolled with a new join token.
 */
public final class HostCredentialService {
    /** The SSHSIG namespace of renewal signatures: a host-key signature made for anything else does not count. */
    public static final String NAMESPACE = SshSig.HOST_CREDENTIAL_NAMESPACE;
    /** Challenges: this prefix and 256 random bits in unpadded base64url; only their SHA-256 is stored. */
    public static final String CHALLENGE_PREFIX = "kwc_";
    public static final Duration CHALLENGE_TTL = Duration.ofMinutes(5);
    /** Live challenges kept per host; asking for more drops the oldest. */
    static final int MAX_LIVE_CHALLENGES = 8;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final Clock clock;
    private final Duration credentialTtl;
    private final PublicKeyParser parser = PublicKeyParser.withDefaults();

    public HostCredentialService(Database db, Clock clock, Duration credentialTtl) {
        this.db = db;
        this.clock = clock;
        this.credentialTtl = credentialTtl;
    }

    /** A challenge to sign, and the lifetime of the credential that asked for it (so an agent learns it). */
    public record Challenge(String challenge, Instant expiresAt, Instant credentialIssuedAt,
            Instant credentialExpiresAt) {
    }

    /** What the agent sends back: the challenge, the enrolled host key that signed it, and the SSHSIG. */
    public record Renew(String challenge, String hostKey, String signature) {
    }

    /** The new credential (shown once) and its lifetime. */
    public record Renewed(String credential, Instant issuedAt, Instant expiresAt) {
    }

    /** A host's credential as listings show it. */
    public record CredentialState(Instant expiresAt, String status) {
    }

    public Challenge challenge(Caller caller, Host host) {
        ApiToken current = callerToken(caller);
        String secret = CHALLENGE_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random32());
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = now.plus(CHALLENGE_TTL);
        db.transaction(tx -> {
            HostCredentialDao creds = new HostCredentialDao(tx);
            creds.pruneChallenges(host.id(), now, MAX_LIVE_CHALLENGES - 1);
            return creds.insertChallenge(host.id(), ApiTokenSecrets.hash(secret), now, expires);
        });
        return new Challenge(secret, expires, current.createdAt(), current.expiresAt());
    }

    /**
     * Trades a signed challenge for a new credential. Every check happens before anything changes, in one
     * transaction with the challenge row and the host row locked; the renewal and its audit entry commit together.
     */
    public Renewed renew(Caller caller, Host host, Renew req) {
        String challenge = required(req.challenge(), "challenge").strip();
        if (!looksLikeChallenge(challenge)) {
            throw new InvalidInputException("challenge is malformed: expected the " + CHALLENGE_PREFIX
                    + "... value from POST /api/v1/agent/credential/challenge");
        }
        SshPublicKey key;
        try {
            key = parser.parseLine(required(req.hostKey(), "host_key"));
        } catch (InvalidInputException e) {
            throw new InvalidInputException("host_key: " + e.getMessage());
        }
        SshSig sig;
        try {
            sig = SshSig.parse(required(req.signature(), "signature"));
        } catch (InvalidInputException e) {
            throw new InvalidInputException("signature: " + e.getMessage());
        }
        if (!sig.publicKey().equals(key)) {
            throw new InvalidInputException("signature: it was made with the key " + sig.publicKey().fingerprint()
                    + ", not host_key " + key.fingerprint());
        }
        long callerToken = caller.tokenId().orElseThrow();
        String credential = ApiTokenSecrets.generate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = now.plus(credentialTtl);
        db.transaction(tx -> {
            HostDao hosts = new HostDao(tx);
            HostCredentialDao creds = new HostCredentialDao(tx);
            Host h = hosts.lock(host.id()).orElseThrow(); // one renewal of a host at a time
            HostCredentialDao.Challenge c = creds.lockChallenge(ApiTokenSecrets.hash(challenge))
                    .orElseThrow(() -> new InvalidInputException("challenge is not known (or was replaced by newer"
                            + " ones); ask for a new one"));
            if (c.hostId() != h.id()) {
                throw new ForbiddenException("the challenge was issued to another host");
            }
            if (c.usedAt().isPresent()) {
                throw new ConflictException("the challenge was already used at " + c.usedAt().get()
                        + "; ask for a new one");
            }
            if (!now.isBefore(c.expiresAt())) {
                throw new InvalidInputException("the challenge expired at " + c.expiresAt() + "; ask for a new one");
            }
            if (!hosts.hostKeyFingerprints(h.id()).contains(key.fingerprint())) {
                throw new ForbiddenException("host key " + key.fingerprint() + " is not one " + h.hostname()
                        + " enrolled with; sign with an enrolled host key");
            }
            if (!verify(sig, challenge)) {
                throw new ForbiddenException("the signature does not verify: it is not host_key's signature over"
                        + " the challenge");
            }
            creds.markChallengeUsed(c.id(), now);
            TokenDao tokens = new TokenDao(tx);
            Optional<Long> replacedPending = creds.pending(h.id()).filter(p -> p != callerToken);
            replacedPending.ifPresent(p -> tokens.revoke(p, now)); // never used: the agent lost it
            ApiToken t = tokens.insert(new TokenDao.NewToken("host:" + h.hostname(), Role.HOST, h.hostname(),
                    h.principals(), ApiTokenSecrets.hash(credential), "renewal:token:" + callerToken, now, expires));
            creds.setPending(h.id(), t.id());
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("token_id", t.id());
            d.put("renewed_by_token_id", callerToken);
            replacedPending.ifPresent(p -> d.put("revoked_unused_token_id", p));
            d.put("host_key", key.fingerprint());
            d.put("expires_at", expires.toString());
            new AuditLog(tx).append(caller.actor(), "host.credential_renew", "host:" + h.id(), d);
            return t;
        });
        ApiTokenAuthenticator.tokensChanged(); // a replaced unused credential is refused at once
        return new Renewed(credential, now, expires);
    }

    /**
     * The first use of a renewed credential: it becomes the host's credential and the one it replaces is revoked,
     * audited in the same transaction. Returns the host as it is now.
     */
    Host activate(Caller caller, Host host, long tokenId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Host updated = db.transaction(tx -> {
            HostDao hosts = new HostDao(tx);
            Host h = hosts.lock(host.id()).orElseThrow();
            if (h.tokenId().filter(t -> t == tokenId).isPresent()) {
                return h; // another request of the same agent got here first
            }
            if (!new HostCredentialDao(tx).activate(h.id(), tokenId)) {
                throw new ForbiddenException("this host credential was replaced by a newer renewal; use that one");
            }
            h.tokenId().ifPresent(old -> new TokenDao(tx).revoke(old, now));
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("token_id", tokenId);
            h.tokenId().ifPresent(old -> d.put("revoked_token_id", old));
            new AuditLog(tx).append(caller.actor(), "host.credential_activate", "host:" + h.id(), d);
            return hosts.find(h.id()).orElseThrow();
        });
        ApiTokenAuthenticator.tokensChanged(); // the replaced credential is refused at once on this node
        return updated;
    }

    /** The credential each of these hosts uses (not a pending renewal): its expiry and status. */
    public Map<Long, CredentialState> credentials(List<Host> hosts) {
        Instant now = clock.instant();
        Map<Long, CredentialState> out = new LinkedHashMap<>();
        db.read(dsl -> new HostCredentialDao(dsl).credentials(hosts.stream().map(Host::id).toList()))
                .forEach((id, c) -> out.put(id, new CredentialState(c.expiresAt(), c.revokedAt().isPresent()
                        ? "revoked" : now.isBefore(c.expiresAt()) ? "active" : "expired")));
        return out;
    }

    private ApiToken callerToken(Caller caller) {
        long id = caller.tokenId().orElseThrow(() -> new ForbiddenException(
                "agent routes need the host credential from enrollment"));
        return db.read(dsl -> new TokenDao(dsl).findById(id)).orElseThrow(() -> new ForbiddenException(
                "this host credential is not known"));
    }

    private static boolean verify(SshSig sig, String challenge) {
        try {
            return sig.verify(challenge.getBytes(StandardCharsets.US_ASCII), NAMESPACE);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("signature: " + e.getMessage());
        }
    }

    private static String required(String v, String field) {
        if (v == null || v.isBlank()) {
            throw new InvalidInputException(field + " is required");
        }
        return v;
    }

    static boolean looksLikeChallenge(String s) {
        return s.startsWith(CHALLENGE_PREFIX) && s.length() == CHALLENGE_PREFIX.length() + 43
                && s.chars().skip(CHALLENGE_PREFIX.length())
                        .allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '_'));
    }

    private static byte[] random32() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }
}
