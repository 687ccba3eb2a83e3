package dev.keyward.agent.cycle;

import dev.keyward.agent.accounts.Passwd;
import dev.keyward.agent.client.AgentClient;
import dev.keyward.agent.config.AgentConfig;
import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.credential.CredentialRenewal;
import dev.keyward.agent.credential.HostKeySigner;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.inventory.Inventory;
import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.protocol.HostCertRequest;
import dev.keyward.agent.protocol.InventoryReport;
import dev.keyward.agent.protocol.UsageAck;
import dev.keyward.agent.protocol.UsageBatch;
import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.agent.sync.AuthorizedKeysSync;
import dev.keyward.agent.sync.BreakGlass;
import dev.keyward.agent.sync.BulkPurgeException;
import dev.keyward.agent.sync.DesiredState;
import dev.keyward.agent.sync.InvalidStateException;
import dev.keyward.agent.sync.StateValidator;
import dev.keyward.agent.trust.HostCerts;
import dev.keyward.agent.trust.SshdControl;
import dev.keyward.agent.trust.TrustFiles;
import dev.keyward.agent.usage.FileFollower;
import dev.keyward.agent.usage.Flagged;
import dev.keyward.agent.usage.JournalSource;
import dev.keyward.agent.usage.Spool;
import dev.keyward.agent.usage.SshdMessage;
import dev.keyward.agent.usage.UsageSource;
import dev.keyward.agent.usage.WriterCheck;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One cycle of the agent. Each step either completes or leaves what it manages as it was; a failed step is
 * recorded and the independent steps after it still run:
 * <ol>
 * <li>baseline: sshd's RevokedKeys and TrustedUserCAKeys name loadable files (an empty KRL before the first sync);</li>
 * <li>the host credential, renewed once two thirds of its lifetime are over (the rest of the cycle then uses the
 * new one);</li>
 * <li>desired state: fetched (ETag, long-poll) or read from {@code --state-file}, validated as a whole; when the
 * server is unreachable or the document is invalid, nothing below that depends on it runs;</li>
 * <li>KRL (validated, never downgraded), trusted user CA keys, authorized_keys (with the bulk-purge guard);</li>
 * <li>host certificates due for renewal, the drop-in, then {@code sshd -t} and one reload if anything sshd reads
 * at start-up changed;</li>
 * <li>usage events from sshd's log into the spool, the spool to the server; the inventory when it changed;</li>
 * <li>the status report (usage source, versions installed) when it changed.</li>
 * </ol>
 * A state document is remembered (with its ETag) only when every step that depends on it succeeded, so a partly
 * applied document is fetched and applied again next time.
 */
public final class Cycle {
    /** Where the desired state comes from: the server, or local files (for staging, tests and benchmarks). */
    public record Source(AgentClient client, Path stateFile, Path krlFile) {
        public static Source server(AgentClient client) {
            return new Source(client, null, null);
        }

        public static Source files(Path stateFile, Path krlFile) {
            return new Source(null, stateFile, krlFile);
        }
    }

    private final AgentConfig config;
    private final AgentPaths paths;
    private final boolean dryRun;
    private final PrintStream out;
    private final Clock clock;
    private final StatusStore store;

    public Cycle(AgentConfig config, AgentPaths paths, boolean dryRun, PrintStream out, Clock clock) {
        this.config = config;
        this.paths = paths;
        this.dryRun = dryRun;
        this.out = out;
        this.clock = clock;
        this.store = new StatusStore(paths, config);
    }

    public StatusStore store() {
        return store;
    }

    public CycleReport run(Source source, int waitSeconds) throws IOException {
        try (SafeFiles files = new SafeFiles(paths, dryRun, new dev.keyward.agent.fs.ChangeSink(out, dryRun))) {
            return run(source, waitSeconds, files);
        }
    }

    /** /etc/passwd, read once per cycle (the sync and the inventory both walk its accounts). */
    private Passwd passwd;

    private Passwd passwd() throws IOException {
        if (passwd == null) {
            passwd = Passwd.read(paths);
        }
        return passwd;
    }

    private CycleReport run(Source source, int waitSeconds, SafeFiles files) throws IOException {
        passwd = null;
        usageSource = null;
        List<String> failures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Instant now = clock.instant();
        AgentStatus status = store.load();
        TrustFiles trust = new TrustFiles(files);
        BreakGlass breakGlass = BreakGlass.of(config.breakGlass());

        step(failures, "baseline", () -> notes.addAll(trust.ensureBaseline()));
        if (source.client() != null) {
            renewCredential(source.client(), new HostCerts(files, config.hostKeysGlob()), status, now, failures,
                    notes, warnings);
        }

        // the desired state
        DesiredState desired = null;
        byte[] doc = null;
        String etag = status.stateEtag();
        boolean changed = false;
        long t0 = System.nanoTime();
        try {
            if (source.stateFile() != null) {
                doc = Files.readAllBytes(source.stateFile());
                etag = null;
                changed = true;
            } else {
                Optional<AgentClient.Fetched> f = source.client().state(status.stateEtag(), waitSeconds);
                if (f.isPresent()) {
                    doc = f.get().body();
                    etag = f.get().etag();
                    changed = true;
                } else {
                    doc = store.lastState().orElse(null);
                    if (doc == null) { // 304 but nothing cached (state dir wiped): ask again without the ETag
                        AgentClient.Fetched again = source.client().state(null, 0).orElseThrow(() ->
                                new IOException("server answered 304 to a request without If-None-Match"));
                        doc = again.body();
                        etag = again.etag();
                        changed = true;
                    }
                }
            }
            desired = new StateValidator().validate(Json.read(doc, AgentState::fromJson));
        } catch (InvalidStateException e) {
            failures.add("state: " + e.getMessage() + "; nothing changed");
        } catch (dev.keyward.ca.json.JsonException e) {
            failures.add("state: the document is not valid JSON for the state schema ("
                    + e.getMessage() + "); nothing changed");
        } catch (IOException e) {
            failures.add("state: " + e.getMessage() + "; nothing changed");
        }
        long stateMs = (System.nanoTime() - t0) / 1_000_000;
        timings.put("state", stateMs);

        boolean stepsOk = false; // every step that depends on the state document succeeded
        if (desired != null) {
            int before = failures.size();
            DesiredState d = desired;
            boolean[] reload = {false};
            step(failures, "krl", () -> {
                if (installKrl(source, d, trust, status)) {
                    notes.add("KRL version " + Long.toUnsignedString(d.krlVersion()) + " installed");
                }
            });
            step(failures, "trust", () -> {
                if (trust.installUserCaKeys(d.userCaKeys(), config.allowEmptyTrustedUserCa())) {
                    notes.add("trusted user CA keys version " + d.trustVersion() + " installed");
                }
            });
            step(failures, "authorized_keys", () -> {
                try {
                    AuthorizedKeysSync.Result r = new AuthorizedKeysSync(files, passwd(), breakGlass,
                            config.bulkPurgeThreshold(), 4).commitInBackground(true).apply(d, now);
                    warnings.addAll(r.warnings());
                    timings.put("authorized_keys plan", r.planMs());
                    if (r.filesChanged() > 0) {
                        notes.add("authorized_keys: " + r.filesChanged() + " files changed, " + r.keysRemoved()
                                + " keys removed");
                    }
                } catch (BulkPurgeException e) {
                    throw new IOException(e.getMessage(), e);
                }
            });
            HostCerts certs = new HostCerts(files, config.hostKeysGlob());
            step(failures, "host certificates", () -> {
                if (renewHostCerts(source, d, certs, now, notes)) {
                    reload[0] = true;
                }
            });
            SshdControl sshd = new SshdControl(files, config);
            if (config.manageSshdConfig()) {
                step(failures, "sshd drop-in", () -> {
                    List<String> existing = new ArrayList<>();
                    for (HostCerts.HostKey k : certs.hostKeys()) {
                        if (Files.isRegularFile(paths.resolve(k.certPath()))) {
                            existing.add(k.certPath());
                        }
                    }
                    if (sshd.installDropIn(existing)) {
                        notes.add("sshd drop-in " + AgentPaths.DROP_IN + " updated");
                        reload[0] = true;
                    }
                });
            }
            if (reload[0] && !dryRun) {
                step(failures, "sshd reload", () -> {
                    sshd.reload();
                    notes.add("sshd reloaded");
                });
            }
            stepsOk = failures.size() == before;
        }

        // usage and inventory do not depend on the state document. The inventory is scanned while the renames of
        // a large authorized_keys change (a first cycle's 10,000 files) finish in the background: it reads the
        // keyward files' new content from what was just written, and is sent only once they are all in place.
        step(failures, "usage", () -> usage(source, notes, warnings));
        InventoryReport[] inventory = {null};
        step(failures, "inventory", () -> inventory[0] = scanInventory(files, warnings));
        int beforeCommit = failures.size();
        step(failures, "authorized_keys renames", files::awaitCommit);
        boolean committed = failures.size() == beforeCommit;
        if (desired != null && stepsOk && committed && !dryRun && source.stateFile() == null) {
            store.saveState(doc);
            AgentStatus s = store.load().withState(etag, desired.trustVersion(), desired.krlVersion());
            store.save(s);
        }
        warnings.addAll(files.warnings());
        if (inventory[0] != null && committed) { // else the next cycle scans again
            step(failures, "inventory", () -> sendInventory(source, inventory[0], notes));
        }

        if (source.client() != null && !dryRun) {
            step(failures, "status report", () -> new StatusReporter(store).send(source.client(),
                    StatusReporter.report(usageSource != null ? usageSource : UsageSource.detect(config, paths),
                            store.loadReport(), store.load(), trust.installedKrl()),
                    notes, warnings));
        }

        if (!dryRun) {
            AgentStatus s = store.load();
            store.save(s.withCycle(now.toString(), failures.isEmpty() ? now.toString() : null, failures));
        }
        CycleReport report = new CycleReport(failures, warnings, notes, changed, stateMs, Map.copyOf(timings));
        timings.clear();
        return report;
    }

    private void renewCredential(AgentClient client, HostCerts certs, AgentStatus status, Instant now,
            List<String> failures, List<String> notes, List<String> warnings) {
        CredentialRenewal renewal = new CredentialRenewal(store, new HostKeySigner(paths, config.sshKeygen()), certs,
                status.hostId());
        if (dryRun) { // a dry run sends nothing but the state request
            step(failures, "credential", () -> {
                if (renewal.due(now)) {
                    out.println("# would renew the host credential (or ask the server when it expires)");
                }
            });
            return;
        }
        step(failures, "credential", () -> {
            CredentialRenewal.Outcome o = renewal.run(client, now);
            if (o.note() != null) {
                notes.add(o.note());
            }
            if (o.warning() != null) {
                warnings.add(o.warning());
            }
        });
    }

    private boolean installKrl(Source source, DesiredState d, TrustFiles trust, AgentStatus status)
            throws IOException, InvalidStateException {
        var installed = trust.installedKrl();
        if (installed.isPresent()) {
            // the state document names the KRL by version (the number inside it) and, optionally, its digest
            boolean sameDigest = d.krlSha256() != null
                    && Sha256.hex(installed.get().encoded()).equals(d.krlSha256());
            if (sameDigest || (d.krlSha256() == null
                    && Long.compareUnsigned(installed.get().version(), d.krlVersion()) >= 0)) {
                return false;
            }
        }
        byte[] bytes;
        String etag = null;
        if (source.stateFile() != null) {
            if (source.krlFile() == null) {
                return false; // a local state document without a KRL: keep the installed one
            }
            bytes = Files.readAllBytes(source.krlFile());
        } else {
            Optional<AgentClient.Fetched> f = source.client().krl(d.krlUrl(),
                    installed.isPresent() ? status.krlEtag() : null);
            if (f.isEmpty()) {
                return false;
            }
            bytes = f.get().body();
            etag = f.get().etag();
        }
        boolean changed = trust.installKrl(bytes, d.krlVersion(), d.krlSha256());
        if (!dryRun && source.stateFile() == null) {
            store.save(store.load().withKrlEtag(etag));
        }
        return changed;
    }

    private boolean renewHostCerts(Source source, DesiredState d, HostCerts certs, Instant now, List<String> notes)
            throws IOException, InvalidStateException {
        List<HostCerts.HostKey> due = new ArrayList<>();
        for (HostCerts.Status s : certs.status(now, d.renewHostCertsNow())) {
            if (s.due()) {
                due.add(s.key());
            }
        }
        if (due.isEmpty() || source.client() == null) {
            return false;
        }
        if (dryRun) {
            out.println("# would renew host certificates for " + due.stream().map(HostCerts.HostKey::pubPath).toList());
            return false;
        }
        var resp = source.client().renewHostCerts(d.hostCertsUrl(),
                new HostCertRequest(due.stream().map(HostCerts.HostKey::line).toList()));
        List<String> written = certs.install(resp.hostCerts(), due, now);
        if (!written.isEmpty()) {
            notes.add("host certificates renewed: " + written);
        }
        return !written.isEmpty();
    }

    /** Where this cycle read usage from (for the status report). */
    private UsageSource usageSource;

    private void usage(Source source, List<String> notes, List<String> warnings) throws IOException {
        AgentStatus status = store.load();
        UsageSource src = UsageSource.detect(config, paths);
        usageSource = src;
        ReportState report = store.loadReport();
        if (!src.describe().equals(report.usageSource())) { // said when it changes, not every cycle
            (src.kind() == UsageSource.Kind.NONE ? warnings : notes).add("usage source: " + src.describe()
                    + (src.kind() == UsageSource.Kind.NONE ? " (no key usage is reported)" : ""));
        }
        SshdMessage parser = new SshdMessage(ZoneId.systemDefault(), clock.instant().getEpochSecond());
        Spool spool = new Spool(store.spoolDir(), config.spoolMaxEvents());
        AgentStatus next;
        long[] seen = {0};
        int[] dropped = {0};
        // in dry-run events are only counted; otherwise each batch goes to the spool as it is read
        FileFollower.EventSink sink = batch -> {
            seen[0] += batch.size();
            if (!dryRun) {
                dropped[0] += spool.add(batch);
            }
        };
        Flagged flagged = Flagged.NONE;
        if (src.kind() == UsageSource.Kind.JOURNAL) {
            JournalSource.Result r = new JournalSource(config.journalCommand(), parser).read(status.journalCursor());
            sink.accept(r.events());
            next = status.withLog(status.logPosition(), r.cursor());
            flagged = r.flagged();
        } else if (src.kind() == UsageSource.Kind.FILE) {
            FileFollower.Result r = new FileFollower(paths.resolve(src.detail()), parser, WriterCheck.ofHost())
                    .read(status.logPosition(), sink);
            next = status.withLog(r.position(), status.journalCursor());
            flagged = r.flagged();
            if (!r.note().isEmpty() && !r.note().endsWith("does not exist")) {
                notes.add("log: " + r.note());
            }
        } else {
            next = status;
        }
        if (flagged.count() > 0) {
            warnings.add("usage: " + flagged.count() + " log record(s) that look like sshd's were not written by"
                    + " sshd; not reported as usage: " + String.join("; ", flagged.samples().subList(0,
                    Math.min(3, flagged.samples().size()))) + (flagged.count() > 3 ? "; ..." : ""));
        }
        if (dryRun) {
            out.println("# usage: " + seen[0] + " new events in sshd's log (not spooled in dry-run)");
            return;
        }
        store.saveReport(report.withUsageSource(src.describe()).withFlagged(flagged.count(), flagged.last()));
        store.save(next); // only after the events are safely in the spool
        if (dropped[0] > 0) {
            notes.add("usage spool full: dropped " + dropped[0] + " events");
        }
        if (source.client() == null) {
            return;
        }
        int sent = 0;
        for (Spool.Segment seg : spool.segments()) {
            List<UsageEvent> evs = spool.read(seg);
            List<String> acked = new ArrayList<>();
            for (int i = 0; i < evs.size(); i += config.usageBatch()) {
                UsageAck ack = source.client().usage(new UsageBatch(evs.subList(i, Math.min(evs.size(),
                        i + config.usageBatch()))));
                acked.addAll(ack.acknowledged() == null ? List.of() : ack.acknowledged());
            }
            spool.acknowledge(seg, acked);
            sent += acked.size();
        }
        if (sent > 0) {
            notes.add("usage: " + sent + " events reported");
        }
    }

    private InventoryReport scanInventory(SafeFiles files, List<String> warnings) throws IOException {
        Inventory inv = new Inventory(files, passwd());
        InventoryReport report = inv.scan();
        warnings.addAll(inv.warnings());
        return report;
    }

    /** Sends the inventory when it differs from the one the server acknowledged last. */
    private void sendInventory(Source source, InventoryReport report, List<String> notes) throws IOException {
        AgentStatus status = store.load();
        if (report.hash().equals(status.inventoryHash()) || source.client() == null || dryRun) {
            return;
        }
        var ack = source.client().inventory(report);
        store.save(store.load().withInventoryHash(ack.hash() != null ? ack.hash() : report.hash()));
        notes.add("inventory: " + report.keys().size() + " keys reported");
    }

    private interface Step {
        void run() throws IOException, InvalidStateException;
    }

    private final java.util.Map<String, Long> timings = new java.util.LinkedHashMap<>();

    private void step(List<String> failures, String name, Step s) {
        long t0 = System.nanoTime();
        try {
            s.run();
        } catch (IOException | InvalidStateException | RuntimeException e) {
            failures.add(name + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } finally {
            timings.merge(name, (System.nanoTime() - t0) / 1_000_000, Long::sum);
        }
    }
}
