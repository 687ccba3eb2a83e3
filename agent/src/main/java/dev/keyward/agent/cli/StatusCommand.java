package dev.keyward.agent.cli;

import dev.keyward.agent.credential.CredentialInfo;
import dev.keyward.agent.credential.CredentialRenewal;
import dev.keyward.agent.cycle.AgentStatus;
import dev.keyward.agent.cycle.ReportState;
import dev.keyward.agent.cycle.StatusStore;
import dev.keyward.agent.fs.ChangeSink;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.trust.HostCerts;
import dev.keyward.agent.trust.TrustFiles;
import dev.keyward.agent.usage.Spool;
import dev.keyward.agent.usage.UsageSource;
import dev.keyward.ca.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/** {@code keyward-agent status}: what is installed and how the last cycles went. Reads only. */
final class StatusCommand implements AgentCommand {
    @Override
    public String name() {
        return "status";
    }

    @Override
    public String description() {
        return "Print the host credential's expiry, trust bundle and KRL versions, host certificate expiry, last"
                + " successful sync, spooled usage events, and where usage is read from (none: no usage is reported).";
    }

    @Override
    public void options(Options o) {
        o.addOption(Option.builder().longOpt("json").desc("print JSON").get());
    }

    @Override
    public int run(CommandLine line) throws Exception {
        AgentCommand.noOperands(line);
        CommonOptions common = CommonOptions.from(line);
        boolean json = line.hasOption("json");
        var config = common.config();
        var paths = common.paths();
        StatusStore store = new StatusStore(paths, config);
        AgentStatus s = store.load();
        Map<String, Object> m = new LinkedHashMap<>();
        try (SafeFiles files = new SafeFiles(paths, true, ChangeSink.quiet())) {
            describe(config, store, s, files, m);
        }
        if (json) {
            System.out.println(Json.pretty(m));
        } else {
            m.forEach((k, v) -> {
                if (v instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?>) {
                    System.out.println(k + ":");
                    l.forEach(x -> System.out.println("  " + x));
                } else {
                    System.out.println(k + ": " + (v == null ? "-" : v));
                }
            });
        }
        return 0;
    }

    /**
     * The credential's expiry and renewal: when it renews, whether the last attempt failed, and, once expired, what
     * to do about it.
     */
    static void credential(CredentialInfo c, String hostId, Instant now, Map<String, Object> m) {
        m.put("credential_expires_at", c.known() ? c.expiresAt()
                : "unknown (the agent asks the server at its next cycle)");
        String renewal;
        if (c.expired(now)) {
            renewal = "expired: " + CredentialRenewal.expiredMessage(c.expiresAt(), hostId);
        } else if (c.backingOff(now)) {
            renewal = "failed " + c.failures() + " time(s); next attempt after " + c.nextAttempt();
        } else if (c.known()) {
            renewal = c.due(now) ? "due (at the next cycle)" : "from " + c.renewAt().orElseThrow();
        } else {
            renewal = "at the next cycle, once the server says when the credential expires";
        }
        m.put("credential_renewal", renewal);
        m.put("credential_last_renewal", c.lastRenewal());
        m.put("credential_renewal_error", c.lastError());
    }

    private static void describe(dev.keyward.agent.config.AgentConfig config, StatusStore store, AgentStatus s,
            SafeFiles files, Map<String, Object> m) throws java.io.IOException {
        m.put("server", s.server() != null ? s.server() : config.server());
        m.put("host_id", s.hostId());
        m.put("enrolled", store.credential().isPresent());
        if (store.credential().isPresent()) {
            credential(store.credentialInfo(), s.hostId(), Clock.systemUTC().instant(), m);
        }
        m.put("trust_version", s.trustVersion());
        var krl = new TrustFiles(files).installedKrl();
        m.put("krl_version", krl.map(k -> Json.unsigned(k.version())).orElse("missing or invalid"));
        List<Map<String, Object>> certs = new ArrayList<>();
        for (HostCerts.Status c : new HostCerts(files, config.hostKeysGlob()).status(Clock.systemUTC().instant(), false)) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("key", c.key().pubPath());
            cm.put("expires", c.cert().map(x -> x.certificate().validBefore() == -1L ? "never"
                    : Instant.ofEpochSecond(x.certificate().validBefore()).toString()).orElse("none"));
            cm.put("renewal_due", c.due() ? c.why() : "no");
            certs.add(cm);
        }
        m.put("host_certs", certs);
        m.put("last_attempt", s.lastAttempt());
        m.put("last_success", s.lastSuccess());
        m.put("last_errors", s.lastErrors());
        Spool spool = new Spool(store.spoolDir(), config.spoolMaxEvents());
        m.put("spooled_usage_events", spool.size());
        m.put("dropped_usage_events", spool.dropped());
        // where usage comes from now; "none" means no key usage is reported from this host
        UsageSource usage = UsageSource.detect(config, store.paths());
        m.put("usage_source", usage.kind().wire());
        m.put("usage_detail", usage.kind() == UsageSource.Kind.NONE ? "no usage source: " + usage.detail()
                : usage.detail());
        ReportState report = store.loadReport();
        m.put("usage_flagged", report.flagged());
        m.put("usage_last_flagged", report.lastFlagged());
    }
}
