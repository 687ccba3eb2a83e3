package dev.keyward.web.service;

import dev.keyward.ca.Durations;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.key.KeyPolicy;
import dev.keyward.ca.key.KeyType;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.ca.sign.KeyProtection;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.web.config.CaKeysConfig;
import dev.keyward.web.config.InventoryConfig;
import dev.keyward.web.db.CaKeyDao;
import dev.keyward.web.db.CaKeyDao.CaKeyRow;
import dev.keyward.web.db.CaKeyState;
import dev.keyward.web.db.Database;
import dev.keyward.web.db.FleetDao;
import dev.keyward.web.db.RevocationDao;
import dev.keyward.web.service.ComplianceReport.Finding;
import dev.keyward.web.service.ComplianceReport.Stage;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the compliance report: CA keys (algorithm and size, where and how they are held as read back from the token,
 * age against {@code ca.cryptoperiod}, last rotation), certificates (TTL distribution per role, certificates living
 * longer than the policy now allows, issuance per requester), static keys from the agents' inventory (unused, shared,
 * weak, old, without an owner) and hosts (agents not seen for a day, hosts lagging the trust bundle or the KRL).
 * Findings and the requirements they map to: {@link ComplianceRules}.
 */
public final class ComplianceReports {
    private static final Logger LOG = LoggerFactory.getLogger(ComplianceReports.class);
    private static final PublicKeyParser LENIENT = new PublicKeyParser(new KeyPolicy(1024));
    /** Certificates issued this long ago or later make the TTL distribution and the issuance per requester. */
    public static final Duration CERTIFICATE_WINDOW = Duration.ofDays(90);
    /** An enrolled host whose agent was not seen for this long is a finding. */
    public static final Duration AGENT_SILENCE = CaKeyLifecycle.RECENTLY_SEEN;
    private static final int TOP_REQUESTERS = 20;
    private static final int LISTED_CERTIFICATES = 100;

    private final Database db;
    private final Clock clock;
    private final IssuancePolicy policy;
    private final CaKeysConfig ca;
    private final InventoryConfig inventory;
    private final SecretSource secrets;

    public ComplianceReports(Database db, Clock clock, IssuancePolicy policy, CaKeysConfig ca, InventoryConfig inventory,
            SecretSource secrets) {
        this.db = db;
        this.clock = clock;
        this.policy = policy;
        this.ca = ca;
        this.inventory = inventory;
        this.secrets = secrets;
    }

    public ComplianceReport build() {
        Instant now = clock.instant();
        Map<String, Stage> stages = new LinkedHashMap<>();
        for (String s : ComplianceReport.STAGES) {
            stages.put(s, new Stage(s, reference(s), new LinkedHashMap<>(), new ArrayList<>()));
        }
        List<CaKeyRow> keys = db.read(tx -> new CaKeyDao(tx).all());
        caKeys(keys, now, stages);
        new CertificateEvidence(db, policy, now).add(stages.get("active_use"));
        hosts(keys, now, stages);
        new StaticKeyEvidence(db, clock, inventory).add(stages);

        Map<String, Integer> bySeverity = new TreeMap<>();
        Map<String, Integer> byStage = new LinkedHashMap<>();
        int total = 0;
        for (Stage s : stages.values()) {
            byStage.put(s.stage(), s.findings().size());
            for (Finding f : s.findings()) {
                bySeverity.merge(f.severity(), 1, Integer::sum);
                total++;
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("ca.cryptoperiod", Durations.format(ca.cryptoperiod()));
        settings.put("inventory.unused_after", Durations.format(inventory.unusedAfter()));
        settings.put("inventory.old_after", Durations.format(inventory.oldAfter()));
        settings.put("certificate_window", Durations.format(CERTIFICATE_WINDOW));
        settings.put("agent_silence", Durations.format(AGENT_SILENCE));
        return new ComplianceReport(now.toString(), settings, new ComplianceReport.Summary(total, bySeverity, byStage),
                List.copyOf(stages.values()));
    }

    private static String reference(String stage) {
        String p = "NIST SP 800-57 Part 1 Rev. 5 ";
        return switch (stage) {
            case "generation" -> p + "§8.1 (pre-operational phase: key generation), §6 (protection)";
            case "distribution" -> p + "§8.1 (key distribution), §8.3.5 (revocation)";
            case "active_use" -> p + "§8.2 (operational phase)";
            case "rotation" -> p + "§5.3 (cryptoperiods), §7 (key states and transitions)";
            case "archival" -> p + "§8.3 (post-operational phase)";
            case "destruction" -> p + "§8.3.4 (key destruction)";
            case "inventory" -> p + "§8.2 (operational phase: key inventory and accounting)";
            default -> p;
        };
    }

    /** CA keys: generation (algorithm, size, protection), rotation (age, last rotation), archival, destruction. */
    private void caKeys(List<CaKeyRow> keys, Instant now, Map<String, Stage> stages) {
        List<Map<String, Object>> generated = new ArrayList<>();
        List<Map<String, Object>> ages = new ArrayList<>();
        List<Map<String, Object>> retired = new ArrayList<>();
        List<Map<String, Object>> ended = new ArrayList<>();
        Map<String, Object> lastRotation = new TreeMap<>();
        Map<Long, Long> valid = db.read(tx -> new CaKeyDao(tx).validCertificates(now));
        for (CaKeyRow k : keys) {
            SshPublicKey pub = LENIENT.parseLine(k.publicKey());
            String subject = "ca_key:" + k.id();
            Map<String, Object> g = keyEvidence(k, pub);
            boolean held = k.state() == CaKeyState.PENDING || k.state() == CaKeyState.ACTIVE
                    || k.state() == CaKeyState.RETIRED;
            if (held) {
                try {
                    KeyProtection p = Signers.protection(k.keyUri(), secrets);
                    g.put("storage", p.storage().label());
                    g.put("location", p.location());
                    g.put("token_object", p.persistent());
                    g.put("sensitive", p.sensitive());
                    g.put("always_sensitive", p.alwaysSensitive());
                    g.put("extractable", p.extractable());
                    g.put("never_extractable", p.neverExtractable());
                    g.put("generated_in_token", p.generatedInside());
                    if (!p.hardwareBacked()) {
                        add(stages, ComplianceRules.CA_KEY_NOT_IN_HSM.finding(subject, k.purpose().label() + " CA key "
                                + k.id() + " is " + (p.storage() == KeyProtection.Storage.SOFTWARE_FILE
                                        ? "a software key file" : "not held sensitive and non-extractable")
                                + " (" + p.location() + "): whoever can read it can sign certificates", g));
                    }
                } catch (RuntimeException e) {
                    LOG.warn("compliance report: cannot read how CA key {} is held: {}", k.id(), e.toString());
                    g.put("protection_error", String.valueOf(e.getMessage()));
                    add(stages, ComplianceRules.CA_KEY_PROTECTION_UNKNOWN.finding(subject, "how " + k.purpose().label()
                            + " CA key " + k.id() + " is held could not be read back from where it lives", g));
                }
                if (weak(pub)) {
                    add(stages, ComplianceRules.CA_KEY_WEAK.finding(subject, k.purpose().label() + " CA key " + k.id()
                            + " is " + pub.type().sshName() + " " + pub.bits() + " bits, under 112-bit strength", g));
                }
            }
            generated.add(g);

            Map<String, Object> a = keyEvidence(k, pub);
            Instant since = k.activatedAt().orElse(k.createdAt());
            a.put("activated_at", k.activatedAt().map(Instant::toString).orElse(null));
            a.put("age_days", Duration.between(k.createdAt(), now).toDays());
            ages.add(a);
            if (k.state() == CaKeyState.ACTIVE) {
                lastRotation.put(k.purpose().label(), since.toString());
                if (Duration.between(since, now).compareTo(ca.cryptoperiod()) > 0) {
                    Map<String, Object> e = new LinkedHashMap<>(a);
                    e.put("signing_since", since.toString());
                    e.put("cryptoperiod", Durations.format(ca.cryptoperiod()));
                    add(stages, ComplianceRules.CA_KEY_OVER_CRYPTOPERIOD.finding(subject, k.purpose().label()
                            + " CA key " + k.id() + " has signed since " + since + ", longer than ca.cryptoperiod ("
                            + Durations.format(ca.cryptoperiod()) + "): rotate it", e));
                }
            }
            if (k.state() == CaKeyState.RETIRED) {
                Map<String, Object> r = keyEvidence(k, pub);
                r.put("retired_at", k.retiredAt().map(Instant::toString).orElse(null));
                r.put("trusted_until", k.trustedUntil().map(Instant::toString).orElse(null));
                r.put("valid_certificates", valid.getOrDefault(k.id(), 0L));
                r.put("in_trust_bundle", k.trusted());
                retired.add(r);
                if (!k.trusted()) {
                    add(stages, ComplianceRules.CA_KEY_NOT_DESTROYED.finding(subject, "retired " + k.purpose().label()
                            + " CA key " + k.id() + " is no longer needed (every certificate it signed expired at "
                            + k.trustedUntil().map(Instant::toString).orElse("?") + ") but was not destroyed", r));
                }
            }
            if (k.state() == CaKeyState.DESTROYED || k.state() == CaKeyState.REVOKED) {
                Map<String, Object> d = keyEvidence(k, pub);
                d.put("destroyed_at", k.destroyedAt().map(Instant::toString).orElse(null));
                d.put("revoked_at", k.revokedAt().map(Instant::toString).orElse(null));
                d.put("revocation_reason", k.revocationReason().orElse(null));
                ended.add(d);
            }
        }
        stages.get("generation").evidence().put("ca_keys", generated);
        Map<String, Object> rotation = stages.get("rotation").evidence();
        rotation.put("cryptoperiod", Durations.format(ca.cryptoperiod()));
        rotation.put("last_rotation", lastRotation);
        rotation.put("ca_keys", ages);
        stages.get("archival").evidence().put("retired_ca_keys", retired);
        stages.get("destruction").evidence().put("destroyed_or_revoked_ca_keys", ended);
    }

    private static Map<String, Object> keyEvidence(CaKeyRow k, SshPublicKey pub) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("purpose", k.purpose().label());
        m.put("state", k.state().label());
        m.put("fingerprint", k.fingerprint());
        m.put("algorithm", pub.type().sshName());
        m.put("bits", pub.bits());
        m.put("created_at", k.createdAt().toString());
        return m;
    }

    /** Under 112-bit security strength (NIST SP 800-57 Part 1 Rev. 5, table 2): RSA under 2048 bits. */
    private static boolean weak(SshPublicKey k) {
        return k.type() == KeyType.RSA && k.bits() < 2048;
    }

    /** Hosts: which trust bundle and KRL their agents installed, and agents not seen for a day. */
    private void hosts(List<CaKeyRow> keys, Instant now, Map<String, Stage> stages) {
        List<FleetDao.EnrolledHost> hosts = db.read(tx -> new FleetDao(tx).enrolledHosts());
        long trust = db.read(tx -> new CaKeyDao(tx).trustVersion());
        BigInteger krl = BigInteger.valueOf(db.read(tx -> new RevocationDao(tx).krlVersion()));
        Instant since = now.minus(AGENT_SILENCE);
        int currentTrust = 0;
        int currentKrl = 0;
        int silent = 0;
        for (FleetDao.EnrolledHost h : hosts) {
            String subject = "host:" + h.hostname();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("host", h.hostname());
            e.put("last_seen_at", h.lastSeenAt().map(Instant::toString).orElse(null));
            e.put("trust_version", h.trustVersion().orElse(null));
            e.put("krl_version", h.krlVersion().map(BigInteger::toString).orElse(null));
            boolean trustOk = h.trustVersion().isPresent() && h.trustVersion().get() >= trust;
            boolean krlOk = h.krlVersion().isPresent() && h.krlVersion().get().compareTo(krl) >= 0;
            currentTrust += trustOk ? 1 : 0;
            currentKrl += krlOk ? 1 : 0;
            if (!h.seenSince(since)) {
                silent++;
                add(stages, ComplianceRules.AGENT_NOT_SEEN.finding(subject, "the agent on " + h.hostname()
                        + " was not seen for " + Durations.format(AGENT_SILENCE) + " (last: "
                        + h.lastSeenAt().map(Instant::toString).orElse("never") + "): its trust, KRL and keys are"
                        + " not known to be current", e));
                continue;
            }
            if (!trustOk) {
                Map<String, Object> t = new LinkedHashMap<>(e);
                t.put("current_trust_version", trust);
                add(stages, ComplianceRules.HOST_TRUST_LAGGING.finding(subject, h.hostname() + " reports trust bundle"
                        + " version " + h.trustVersion().map(String::valueOf).orElse("(none)") + ", not the current "
                        + trust, t));
            }
            if (!krlOk) {
                Map<String, Object> t = new LinkedHashMap<>(e);
                t.put("current_krl_version", krl.toString());
                add(stages, ComplianceRules.HOST_KRL_LAGGING.finding(subject, h.hostname() + " reports KRL version "
                        + h.krlVersion().map(BigInteger::toString).orElse("(none)") + ", not the current " + krl
                        + ": revocations since then are not enforced there", t));
            }
        }
        Map<String, Object> d = stages.get("distribution").evidence();
        d.put("trust_version", trust);
        d.put("trusted_user_ca_keys", TrustService.trusted(keys, CertType.USER).size());
        d.put("trusted_host_ca_keys", TrustService.trusted(keys, CertType.HOST).size());
        d.put("krl_version", krl.toString());
        d.put("enrolled_hosts", hosts.size());
        d.put("hosts_with_current_trust", currentTrust);
        d.put("hosts_with_current_krl", currentKrl);
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("enrolled", hosts.size());
        h.put("not_seen_for_a_day", silent);
        stages.get("inventory").evidence().put("hosts", h);
    }

    static void add(Map<String, Stage> stages, Finding f) {
        stages.get(f.stage()).findings().add(f);
    }

    /** The hostnames and accounts of a list of locations, sorted. */
    static Map<String, Object> where(List<KeyInventoryService.Location> locations) {
        TreeSet<String> hosts = new TreeSet<>();
        TreeSet<String> accounts = new TreeSet<>();
        TreeSet<String> labels = new TreeSet<>();
        for (KeyInventoryService.Location l : locations) {
            Optional.ofNullable(l.host()).ifPresent(hosts::add);
            Optional.ofNullable(l.hostLabel()).ifPresent(labels::add);
            accounts.add(l.account());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hosts", List.copyOf(hosts));
        if (!labels.isEmpty()) {
            m.put("host_labels", List.copyOf(labels));
        }
        m.put("accounts", List.copyOf(accounts));
        return m;
    }

    /** The report's listing limit for certificates. */
    static int listedCertificates() {
        return LISTED_CERTIFICATES;
    }

    static int topRequesters() {
        return TOP_REQUESTERS;
    }
}
