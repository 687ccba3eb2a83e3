package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.AuthorizedKeyLine;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.web.audit.AuditLog;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.db.AgentStateDao;
import dev.keyward.web.db.AuthorizedKeyDao;
import dev.keyward.web.db.AuthorizedKeyDao.StaticKey;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.HostDao;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Static authorized keys (service accounts and the like): added for an account on one host or on every host with
 * a label, deleted by an admin (agents then purge them). Each change bumps the agent state version and is
 * audited in the same transaction; long-polling agents are woken after it commits.
 */
public final class AuthorizedKeyService {
    static final int MAX_OPTIONS = 32;
    static final int MAX_COMMENT = 1024;

    private final Database db;
    private final AgentStateWatcher watcher;
    private final Clock clock;
    private final PublicKeyParser parser = PublicKeyParser.withDefaults();

    public AuthorizedKeyService(Database db, AgentStateWatcher watcher, Clock clock) {
        this.db = db;
        this.watcher = watcher;
        this.clock = clock;
    }

    /** A key to add: exactly one of host (a registered hostname) and hostLabel. */
    public record AddKey(String account, Optional<String> host, Optional<String> hostLabel, String publicKey,
            Optional<String> comment, List<String> options, Optional<String> expiresAt) {
        public AddKey {
            options = options == null ? List.of() : List.copyOf(options);
        }
    }

    public StaticKey add(Caller actor, AddKey req) {
        String account = checkAccount(req.account());
        if (req.host().isPresent() == req.hostLabel().isPresent()) {
            throw new InvalidInputException("give exactly one of host (a registered hostname) and host_label");
        }
        Optional<String> label = req.hostLabel().map(HostService::checkLabel);
        SshPublicKey key = parser.parseLine(req.publicKey());
        String comment = req.comment().map(String::strip).orElse(key.comment() == null ? "" : key.comment().strip());
        if (comment.length() > MAX_COMMENT || comment.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("comment must be at most " + MAX_COMMENT
                    + " characters without control characters");
        }
        List<String> options = checkOptions(req.options(), key, comment);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        Optional<Instant> expires = req.expiresAt().map(s -> Rfc3339.parse(s, "expires_at"));
        if (expires.isPresent() && !expires.get().isAfter(now)) {
            throw new InvalidInputException("expires_at is in the past");
        }
        StaticKey k = db.transaction(tx -> {
            Optional<Long> hostId = Optional.empty();
            if (req.host().isPresent()) {
                hostId = Optional.of(new HostDao(tx).findByHostname(req.host().get().strip())
                        .orElseThrow(() -> new NotFoundException("there is no registered host named '"
                                + HostService.abbreviate(req.host().get()) + "'")).id());
            }
            AuthorizedKeyDao dao = new AuthorizedKeyDao(tx);
            Optional<Long> h = hostId;
            boolean duplicate = (h.isPresent() ? dao.forHost(h.get(), List.of())
                    : dao.forLabel(label.orElseThrow())).stream()
                    .anyMatch(x -> x.deletedAt().isEmpty() && !x.expiredAt(now) && x.account().equals(account)
                            && x.fingerprint().equals(key.fingerprint()) && x.hostId().equals(h)
                            && x.hostLabel().equals(label));
            if (duplicate) {
                throw new ConflictException("this key is already authorized for " + account + " there");
            }
            StaticKey saved = dao.insert(new StaticKey(0, account, hostId, label, key.toOpenSshWithoutComment(),
                    key.fingerprint(), key.type().sshName(), key.bits(), options, comment, expires, actor.actor(), now,
                    Optional.empty(), Optional.empty()));
            long version = new AgentStateDao(tx).bump(now);
            Map<String, Object> d = details(saved);
            d.put("agent_state_version", version);
            new AuditLog(tx).append(actor.actor(), "authorized_key.create", "authorized_key:" + saved.id(), d);
            return saved;
        });
        watcher.changed();
        return k;
    }

    /** Deletes key {@code id}: agents purge it. Deleting twice is a no-op. */
    public StaticKey delete(Caller actor, long id) {
        Instant now = clock.instant();
        boolean[] changed = {false};
        StaticKey k = db.transaction(tx -> {
            AuthorizedKeyDao dao = new AuthorizedKeyDao(tx);
            StaticKey before = dao.find(id).orElseThrow(() -> new NotFoundException("there is no authorized key "
                    + id));
            if (dao.delete(id, actor.actor(), now)) {
                long version = new AgentStateDao(tx).bump(now);
                Map<String, Object> d = details(before);
                d.put("agent_state_version", version);
                new AuditLog(tx).append(actor.actor(), "authorized_key.delete", "authorized_key:" + id, d);
                changed[0] = true;
            }
            return dao.find(id).orElseThrow();
        });
        if (changed[0]) {
            watcher.changed();
        }
        return k;
    }

    public static String checkAccount(String account) {
        if (account == null || !AgentReportService.ACCOUNT.matcher(account).matches()) {
            throw new InvalidInputException("account '" + HostService.abbreviate(account) + "' is not a valid local"
                    + " account name (1 to 32 of A-Z a-z 0-9 _ . -, not starting with . or -)");
        }
        return account;
    }

    /** Options must make a line that authorized_keys parsing (ours, the agent's, sshd's) accepts. */
    private List<String> checkOptions(List<String> options, SshPublicKey key, String comment) {
        if (options.size() > MAX_OPTIONS) {
            throw new InvalidInputException("at most " + MAX_OPTIONS + " options");
        }
        for (String o : options) {
            if (o == null || o.isBlank() || o.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
                throw new InvalidInputException("options: each option is a non-empty single line");
            }
        }
        if (options.isEmpty()) {
            return options;
        }
        String line = String.join(",", options) + " " + key.toOpenSshWithoutComment()
                + (comment.isEmpty() ? "" : " " + comment);
        AuthorizedKeyLine parsed;
        try {
            // names and values as sshd checks them: a line with an option sshd refuses would be skipped by sshd
            parsed = AuthorizedKeyLine.parse(line, parser).orElseThrow(() ->
                    new InvalidInputException("do not form a valid authorized_keys line"));
        } catch (InvalidInputException e) {
            throw new InvalidInputException("options: " + e.getMessage());
        }
        if (!parsed.key().fingerprint().equals(key.fingerprint()) || parsed.options().size() != options.size()) {
            throw new InvalidInputException("options do not form a valid authorized_keys line (a comma or space"
                    + " outside quotes?)");
        }
        return options;
    }

    static Map<String, Object> details(StaticKey k) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", k.id());
        d.put("account", k.account());
        k.hostId().ifPresent(h -> d.put("host_id", h));
        k.hostLabel().ifPresent(l -> d.put("host_label", l));
        d.put("fingerprint", k.fingerprint());
        d.put("key_type", k.keyType());
        d.put("options", k.options());
        d.put("comment", k.comment());
        k.expiresAt().ifPresent(t -> d.put("expires_at", t.toString()));
        return d;
    }
}
