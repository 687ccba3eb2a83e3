package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.auth.ApiToken;
import dev.keyward.web.auth.ApiTokenSecrets;
import dev.keyward.web.auth.AuthenticationException;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.db.AgentStatusDao;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.HostCredentialDao;
import dev.keyward.web.db.HostDao;
import dev.keyward.web.db.HostDao.Host;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.db.TokenDao;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts: registration (with a one-time join token), enrollment (the join token traded for a host credential and
 * host certificates), listing, host certificate renewal for the host's own enrolled keys, and what each host's
 * agent reports about itself.
 */
public final class HostService {
    private static final Logger LOG = LoggerFactory.getLogger(HostService.class);
    /** Join tokens: this prefix and 256 random bits in unpadded base64url; only their SHA-256 is stored. */
    public static final String JOIN_PREFIX = "kwj_";
    public static final Duration JOIN_TOKEN_TTL = Duration.ofHours(24);
    static final Set<String> MODES = Set.of("report-only", "managed", "exclusive");
    static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,62}");
    static final int MAX_HOST_KEYS = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Database db;
    private final IssuanceService issuance;
    private final AgentStateWatcher watcher;
    private final Clock clock;
    private final Duration credentialTtl;
    private final HostCredentialService credentials;
    private final PublicKeyParser parser = PublicKeyParser.withDefaults();

    public HostService(Database db, IssuanceService issuance, AgentStateWatcher watcher, Clock clock,
            Duration credentialTtl) {
        this.db = db;
        this.issuance = issuance;
        this.watcher = watcher;
        this.clock = clock;
        this.credentialTtl = credentialTtl;
        this.credentials = new HostCredentialService(db, clock, credentialTtl);
    }

    /** Renewal of host credentials (challenges signed with an enrolled host key). */
    public HostCredentialService credentials() {
        return credentials;
    }

    /** A host to register; {@code principals} empty means just the hostname. */
    public record CreateHost(String hostname, List<String> principals, Optional<String> mode, List<String> labels) {
        public CreateHost {
            principals = principals == null ? List.of() : List.copyOf(principals);
            labels = labels == null ? List.of() : List.copyOf(labels);
        }
    }

    /** The registered host and its join token, which is shown once and stored only hashed. */
    public record CreatedHost(Host host, String joinToken, Instant joinTokenExpiresAt) {
    }

    /** What an agent sends to enroll. */
    public record Enroll(String joinToken, Optional<String> reportedHostname, List<String> hostKeys) {
    }

    /**
     * The enrolled host, its credential (shown once) with its lifetime, and one host certificate per host key it
     * could certify.
     */
    public record Enrolled(Host host, String credential, Instant credentialIssuedAt, Instant credentialExpiresAt,
            List<String> hostCerts) {
    }

    public CreatedHost create(Caller actor, CreateHost req) {
        String hostname = checkHostname(req.hostname());
        List<String> principals = new ArrayList<>(req.principals().isEmpty() ? List.of(hostname) : req.principals());
        principals.forEach(p -> TokenService.checkHostName("principal", p));
        if (new LinkedHashSet<>(principals).size() != principals.size()) {
            throw new InvalidInputException("principals contains a duplicate");
        }
        String mode = req.mode().orElse("managed");
        if (!MODES.contains(mode)) {
            throw new InvalidInputException("mode must be report-only, managed or exclusive; got '"
                    + abbreviate(mode) + "'");
        }
        List<String> labels = List.copyOf(new LinkedHashSet<>(req.labels()));
        labels.forEach(HostService::checkLabel);
        String secret = JOIN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random32());
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = now.plus(JOIN_TOKEN_TTL);
        Host host = db.transaction(tx -> {
            HostDao hosts = new HostDao(tx);
            if (hosts.hostnameExists(hostname)) {
                throw new ConflictException("a host named " + hostname + " is already registered");
            }
            Host h = hosts.insert(new HostDao.NewHost(hostname, mode, principals, labels, actor.actor(), now));
            hosts.insertJoinToken(h.id(), ApiTokenSecrets.hash(secret), actor.actor(), now, expires);
            Map<String, Object> d = details(h);
            d.put("join_token_expires_at", expires.toString());
            new AuditLog(tx).append(actor.actor(), "host.create", "host:" + h.id(), d);
            return h;
        });
        return new CreatedHost(host, secret, expires);
    }

    /**
     * A new join token for a registered host (a rebuilt machine, a lost credential). Enrolling with it replaces
     * the host's credential; until then the old one keeps working. Earlier unused join tokens stay valid until
     * they expire.
     */
    public CreatedHost newJoinToken(Caller actor, long hostId) {
        String secret = JOIN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random32());
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Instant expires = now.plus(JOIN_TOKEN_TTL);
        Host host = db.transaction(tx -> {
            HostDao hosts = new HostDao(tx);
            Host h = hosts.find(hostId).orElseThrow(() -> new NotFoundException("there is no host " + hostId));
            hosts.insertJoinToken(h.id(), ApiTokenSecrets.hash(secret), actor.actor(), now, expires);
            Map<String, Object> d = details(h);
            d.put("join_token_expires_at", expires.toString());
            new AuditLog(tx).append(actor.actor(), "host.join_token", "host:" + h.id(), d);
            return h;
        });
        return new CreatedHost(host, secret, expires);
    }

    /**
     * Trades a join token for a host credential. The token is checked and consumed under a row lock, so two
     * agents racing with one token get one credential between them. Host keys are validated before the token is
     * consumed (a malformed key must not burn the token). Certificates are issued after the credential commits; a
     * key that cannot be certified now is logged and left for the agent's renewal.
     */
    public Enrolled enroll(Enroll req) {
        if (req.joinToken() == null || !looksLikeJoinToken(req.joinToken().strip())) {
            throw new AuthenticationException("the join token is malformed");
        }
        Map<String, SshPublicKey> keys = parseHostKeys(req.hostKeys());
        String tokenHash = ApiTokenSecrets.hash(req.joinToken().strip());
        String credential = ApiTokenSecrets.generate();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        record Done(Host host, ApiToken token) {
        }
        Done done = db.transaction(tx -> {
            HostDao hosts = new HostDao(tx);
            HostDao.JoinToken jt = hosts.lockJoinToken(tokenHash)
                    .orElseThrow(() -> new AuthenticationException("the join token is not known"));
            if (jt.usedAt().isPresent()) {
                throw new ConflictException("the join token was already used at " + jt.usedAt().get()
                        + "; ask an admin for a new one");
            }
            if (!now.isBefore(jt.expiresAt())) {
                throw new AuthenticationException("the join token expired at " + jt.expiresAt());
            }
            Host h = hosts.find(jt.hostId()).orElseThrow();
            hosts.markJoinTokenUsed(jt.id(), now);
            TokenDao tokens = new TokenDao(tx);
            h.tokenId().ifPresent(old -> tokens.revoke(old, now)); // re-enrollment replaces the old credential
            HostCredentialDao creds = new HostCredentialDao(tx);
            creds.pending(h.id()).ifPresent(p -> tokens.revoke(p, now)); // and a renewed one not used yet
            creds.setPending(h.id(), null);
            ApiToken t = tokens.insert(new TokenDao.NewToken("host:" + h.hostname(), Role.HOST, h.hostname(),
                    h.principals(), ApiTokenSecrets.hash(credential), "join-token:" + jt.id(), now,
                    now.plus(credentialTtl)));
            hosts.setEnrolled(h.id(), t.id(), now);
            Map<String, String> fps = new LinkedHashMap<>();
            keys.forEach((fp, k) -> fps.put(fp, k.toOpenSshWithoutComment()));
            hosts.addHostKeys(h.id(), fps, now);
            Map<String, Object> d = details(h);
            d.put("token_id", t.id());
            d.put("host_keys", List.copyOf(keys.keySet()));
            req.reportedHostname().ifPresent(n -> d.put("reported_hostname", abbreviate(n)));
            new AuditLog(tx).append("host:" + h.hostname(), "host.enroll", "host:" + h.id(), d);
            return new Done(hosts.find(h.id()).orElseThrow(), t);
        });
        dev.keyward.web.auth.ApiTokenAuthenticator.tokensChanged(); // the replaced host token is refused at once
        Caller host = callerFor(done.token());
        List<String> certs = new ArrayList<>();
        for (SshPublicKey k : keys.values()) {
            try {
                certs.add(issue(host, k));
            } catch (RuntimeException e) {
                LOG.warn("Host {} enrolled, but no certificate for its key {} yet: {}", done.host().hostname(),
                        k.fingerprint(), e.toString());
            }
        }
        watcher.changed();
        return new Enrolled(done.host(), credential, done.token().createdAt(), done.token().expiresAt(), certs);
    }

    /** Renews host certificates for keys this host enrolled with; any other key is refused (403). */
    public List<String> renew(Caller caller, List<String> hostKeys) {
        Host host = hostOf(caller);
        Map<String, SshPublicKey> keys = parseHostKeys(hostKeys);
        List<String> registered = db.read(dsl -> new HostDao(dsl).hostKeyFingerprints(host.id()));
        for (String fp : keys.keySet()) {
            if (!registered.contains(fp)) {
                throw new ForbiddenException("host key " + fp + " is not one " + host.hostname()
                        + " enrolled with; only enrolled host keys get certificates");
            }
        }
        List<String> certs = new ArrayList<>();
        for (SshPublicKey k : keys.values()) {
            certs.add(issue(caller, k));
        }
        return certs;
    }

    /**
     * A host certificate for {@code POST /certs/host}. An enrolled host's credential stands for the host keys it
     * enrolled with, so it gets certificates only for those (403 otherwise, as {@link #renew}): a leaked credential
     * must not let someone without the host's private key pass as the host. A host API token that no enrollment
     * created ({@code POST /tokens} with role host) is a provisioning credential an admin issued for its
     * principals, and certifies any key for them.
     */
    public IssuedCert issueHostCert(Caller caller, IssuanceService.IssueCommand cmd) {
        Optional<Host> enrolled = caller.tokenId().flatMap(id -> db.read(dsl -> new HostDao(dsl).findByToken(id)));
        if (enrolled.isPresent()) {
            String fp = parser.parseLine(cmd.publicKey()).fingerprint();
            Host host = enrolled.get();
            if (!db.read(dsl -> new HostDao(dsl).hostKeyFingerprints(host.id())).contains(fp)) {
                throw new ForbiddenException("host key " + fp + " is not one " + host.hostname() + " enrolled with;"
                        + " an enrolled host's credential gets certificates only for its enrolled host keys");
            }
        }
        return issuance.issue(caller, CertType.HOST, cmd);
    }

    /**
     * The host a host credential belongs to; 403 for a host token that no enrollment created. The first request
     * with a renewed credential makes it the host's credential (and revokes the one it replaces).
     */
    public Host hostOf(Caller caller) {
        long tokenId = caller.tokenId().orElseThrow(() -> new ForbiddenException(
                "agent routes need the host credential from enrollment"));
        Host h = db.read(dsl -> new HostDao(dsl).findByToken(tokenId)).orElseThrow(() -> new ForbiddenException(
                "this host token is not bound to an enrolled host; enroll with a join token from POST /api/v1/hosts"));
        if (h.tokenId().filter(t -> t == tokenId).isEmpty()) {
            return credentials.activate(caller, h, tokenId);
        }
        return h;
    }

    /**
     * How stale a host's {@code last_seen_at} may get while its agent only polls its state: the poll records it at
     * most this often (reports record it every time). "Seen in the last day" is what CA activation and the
     * compliance report ask.
     */
    static final Duration POLL_SEEN_RESOLUTION = Duration.ofHours(1);

    /** The host's agent asked for its state: it is alive. */
    public void polled(Host host) {
        Instant now = clock.instant();
        if (host.lastSeenAt().isEmpty() || host.lastSeenAt().get().isBefore(now.minus(POLL_SEEN_RESOLUTION))) {
            db.transaction(tx -> {
                new HostDao(tx).touch(host.id(), now);
                return null;
            });
        }
    }

    public List<Host> list(int limit, int offset) {
        return db.read(dsl -> new HostDao(dsl).list(limit, offset));
    }

    /** An agent's status report ({@code POST /api/v1/agent/status}), as it sent it. */
    public record AgentStatusIn(String agentVersion, String usageSource, String usageDetail, Long usageFlagged,
            String usageLastFlagged, Long trustVersion, java.math.BigInteger krlVersion) {
    }

    /** Stores what the calling host's agent reports about itself (replacing its last report); returns it. */
    public AgentStatusDao.AgentStatus reportAgentStatus(Caller caller, AgentStatusIn in) {
        Host host = hostOf(caller);
        AgentStatusDao.AgentStatus s = AgentStatusReports.check(new AgentStatusReports.In(in.agentVersion(),
                in.usageSource(), in.usageDetail(), in.usageFlagged(), in.usageLastFlagged(), in.trustVersion(),
                in.krlVersion()), clock.instant());
        db.transaction(tx -> {
            new AgentStatusDao(tx).save(host.id(), s);
            new HostDao(tx).touch(host.id(), s.reportedAt());
            return null;
        });
        return s;
    }

    /** The last status report of each of these hosts' agents (hosts whose agent never reported are absent). */
    public Map<Long, AgentStatusDao.AgentStatus> agentStatuses(List<Host> hosts) {
        return db.read(dsl -> new AgentStatusDao(dsl).find(hosts.stream().map(Host::id).toList()));
    }

    private String issue(Caller host, SshPublicKey key) {
        IssuedCert c = issuance.issue(host, CertType.HOST, new IssuanceService.IssueCommand(
                key.toOpenSshWithoutComment(), Optional.empty(), Optional.empty(), Optional.empty()));
        return c.certificate().strip();
    }

    private Map<String, SshPublicKey> parseHostKeys(List<String> lines) {
        if (lines == null || lines.isEmpty()) {
            throw new InvalidInputException("host_keys is required: the host's public keys, one OpenSSH line each");
        }
        if (lines.size() > MAX_HOST_KEYS) {
            throw new InvalidInputException("at most " + MAX_HOST_KEYS + " host keys");
        }
        Map<String, SshPublicKey> keys = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            try {
                SshPublicKey k = parser.parseLine(lines.get(i));
                keys.putIfAbsent(k.fingerprint(), k);
            } catch (InvalidInputException e) {
                throw new InvalidInputException("host_keys[" + i + "]: " + e.getMessage());
            }
        }
        return keys;
    }

    private static Caller callerFor(ApiToken t) {
        return new Caller("token:" + t.id() + ":" + t.username(), t.username(), Set.of(Role.HOST), List.of(),
                Optional.of(t.id()), t.principals());
    }

    static Map<String, Object> details(Host h) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", h.id());
        d.put("hostname", h.hostname());
        d.put("mode", h.mode());
        d.put("principals", h.principals());
        d.put("labels", h.labels());
        return d;
    }

    static String checkHostname(String hostname) {
        if (hostname == null || hostname.isBlank()) {
            throw new InvalidInputException("hostname is required");
        }
        String h = hostname.strip();
        TokenService.checkHostName("hostname", h);
        return h;
    }

    static String checkLabel(String label) {
        if (label == null || !LABEL.matcher(label).matches()) {
            throw new InvalidInputException("label '" + abbreviate(label) + "' must be 1 to 63 letters, digits, '_',"
                    + " '.', ':' or '-', starting with a letter or digit");
        }
        return label;
    }

    static boolean looksLikeJoinToken(String s) {
        return s.startsWith(JOIN_PREFIX) && s.length() == JOIN_PREFIX.length() + 43
                && s.chars().skip(JOIN_PREFIX.length()).allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_');
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 64 ? p.substring(0, 64) + "..." : p;
    }

    private static byte[] random32() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return b;
    }
}
