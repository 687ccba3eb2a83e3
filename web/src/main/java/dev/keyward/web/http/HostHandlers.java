package dev.keyward.web.http;

import dev.keyward.web.auth.Caller;
import dev.keyward.web.db.AuthorizedKeyDao.StaticKey;
import dev.keyward.web.db.HostDao.Host;
import dev.keyward.web.db.KeyPageDao;
import dev.keyward.web.service.AgentReportService;
import dev.keyward.web.service.AgentStateService;
import dev.keyward.web.service.AuthorizedKeyService;
import dev.keyward.web.service.HostCredentialService;
import dev.keyward.web.service.HostService;
import dev.keyward.web.service.KeyInventoryService;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Hosts and their agents, static authorized keys and the key inventory. */
final class HostHandlers {
    /** The longest long-poll a request may ask for ({@code ?wait=}); longer asks are cut to this. */
    static final int MAX_WAIT_SECONDS = 60;
    /** Agent reports (usage batches, inventories) may be larger than ordinary API bodies. */
    static final int MAX_REPORT_BYTES = 16 * 1024 * 1024;
    private static final String FINGERPRINT_SYNTAX = "a key fingerprint (SHA256:<43 base64 characters>)";

    private final HostService hosts;
    private final AgentStateService state;
    private final AgentReportService reports;
    private final AuthorizedKeyService keys;
    private final KeyInventoryService inventory;
    private final Clock clock;

    HostHandlers(HostService hosts, AgentStateService state, AgentReportService reports, AuthorizedKeyService keys,
            KeyInventoryService inventory, Clock clock) {
        this.hosts = hosts;
        this.state = state;
        this.reports = reports;
        this.keys = keys;
        this.inventory = inventory;
        this.clock = clock;
    }

    void create(Context ctx, Caller caller) {
        HostBodies.CreateHost b = Json.read(ctx, HostBodies.CreateHost.class);
        HostService.CreatedHost c = hosts.create(caller, new HostService.CreateHost(b.hostname(), b.principals(),
                Optional.ofNullable(b.mode()), b.labels()));
        Host h = c.host();
        Json.write(ctx, 201, new HostViews.CreatedHostView(h.id(), h.hostname(), h.mode(), h.principals(), h.labels(),
                c.joinToken(), c.joinTokenExpiresAt().toString()));
    }

    void joinToken(Context ctx, Caller caller) {
        long id = Paging.positiveLong("id", ctx.pathParam("id"));
        HostService.CreatedHost c = hosts.newJoinToken(caller, id);
        Host h = c.host();
        Json.write(ctx, 201, new HostViews.CreatedHostView(h.id(), h.hostname(), h.mode(), h.principals(), h.labels(),
                c.joinToken(), c.joinTokenExpiresAt().toString()));
    }

    void list(Context ctx, Caller caller) {
        Paging p = Paging.of(ctx);
        java.util.List<Host> page = hosts.list(p.limit(), p.offset());
        var agents = hosts.agentStatuses(page);
        var credentials = hosts.credentials().credentials(page);
        Json.write(ctx, 200, new Views.Page<>(page.stream().map(h -> HostViews.HostView.of(h, credentials.get(h.id()),
                agents.get(h.id())))
                .toList(), p.limit(), null));
    }

    /** Public: the join token in the body is the credential. */
    void enroll(Context ctx, Caller caller) {
        HostBodies.Enroll b = Json.read(ctx, HostBodies.Enroll.class);
        HostService.Enrolled e = hosts.enroll(new HostService.Enroll(Bodies.required(b.joinToken(), "join_token"),
                Optional.ofNullable(b.hostname()), b.hostKeys()));
        Json.write(ctx, 200, new HostViews.EnrolledView(Long.toString(e.host().id()), e.credential(),
                e.credentialIssuedAt().toString(), e.credentialExpiresAt().toString(), e.hostCerts()));
    }

    /** The desired state; 304 on a matching If-None-Match; with {@code ?wait=N}, held until it changes. */
    void agentState(Context ctx, Caller caller) {
        Host host = hosts.hostOf(caller);
        hosts.polled(host);
        int wait = Math.min(Paging.intParam(ctx, "wait", 0, 0, Integer.MAX_VALUE), MAX_WAIT_SECONDS);
        String inm = ctx.header("If-None-Match");
        if (wait == 0 || inm == null) {
            render(ctx, state.render(host), inm);
            return;
        }
        LongPolls.extendIdleTimeout(ctx, Duration.ofSeconds(wait + 30));
        ctx.future(() -> state.await(host, inm, Duration.ofSeconds(wait)).thenAccept(r -> render(ctx, r, inm)));
    }

    private static void render(Context ctx, AgentStateService.Rendered r, String ifNoneMatch) {
        ctx.header("ETag", r.etag());
        ctx.header("Cache-Control", "no-cache");
        if (AgentStateService.matches(ifNoneMatch, r.etag())) {
            ctx.status(304);
            return;
        }
        ctx.status(200).contentType("application/json").result(r.body());
    }

    void renewHostCerts(Context ctx, Caller caller) {
        HostBodies.HostCerts b = Json.read(ctx, HostBodies.HostCerts.class);
        Json.write(ctx, 200, new HostViews.HostCertsView(hosts.renew(caller, b.hostKeys())));
    }

    /** A challenge for the calling host to sign with one of its enrolled host keys. */
    void credentialChallenge(Context ctx, Caller caller) {
        HostCredentialService.Challenge c = hosts.credentials().challenge(caller, hosts.hostOf(caller));
        Json.write(ctx, 200, new HostViews.CredentialChallengeView(c.challenge(), c.expiresAt().toString(),
                c.credentialIssuedAt().toString(), c.credentialExpiresAt().toString()));
    }

    /** A new host credential for a signed challenge. */
    void renewCredential(Context ctx, Caller caller) {
        HostBodies.RenewCredential b = Json.read(ctx, HostBodies.RenewCredential.class);
        HostCredentialService.Renewed r = hosts.credentials().renew(caller, hosts.hostOf(caller),
                new HostCredentialService.Renew(b.challenge(), b.hostKey(), b.signature()));
        Json.write(ctx, 200, new HostViews.CredentialView(r.credential(), r.issuedAt().toString(),
                r.expiresAt().toString()));
    }

    void usage(Context ctx, Caller caller) {
        Host host = hosts.hostOf(caller);
        HostBodies.Usage b = Json.read(ctx, HostBodies.Usage.class, MAX_REPORT_BYTES);
        AgentReportService.UsageResult r = reports.usage(host, HostBodies.each(b.events(),
                AgentReportService.UsageIn.class, Json.MAPPER, "events"));
        Json.write(ctx, 200, new HostViews.UsageAckView(r.acknowledged(), r.rejected(), r.stored()));
    }

    void inventory(Context ctx, Caller caller) {
        Host host = hosts.hostOf(caller);
        HostBodies.Inventory b = Json.read(ctx, HostBodies.Inventory.class, MAX_REPORT_BYTES);
        // lines are read with their text as sent: unstorable text in a comment keeps the line, flagged
        AgentReportService.InventoryResult r = reports.inventory(host, b.hash(), HostBodies.each(b.keys(),
                AgentReportService.InventoryIn.class, Json.TEXT_AS_SENT, "keys"));
        Json.write(ctx, 200, new HostViews.InventoryAckView(r.hash(), r.rejected().isEmpty() ? null : r.rejected()));
    }

    void agentStatus(Context ctx, Caller caller) {
        HostBodies.AgentStatus b = Json.read(ctx, HostBodies.AgentStatus.class);
        var s = hosts.reportAgentStatus(caller, new HostService.AgentStatusIn(b.agentVersion(), b.usageSource(),
                b.usageDetail(), b.usageFlagged(), b.usageLastFlagged(), b.trustVersion(), b.krlVersion()));
        Json.write(ctx, 200, new HostViews.AgentStatusAckView(s.reportedAt().toString()));
    }

    void addKey(Context ctx, Caller caller) {
        HostBodies.AddKey b = Json.read(ctx, HostBodies.AddKey.class);
        StaticKey k = keys.add(caller, new AuthorizedKeyService.AddKey(Bodies.required(b.account(), "account"),
                Optional.ofNullable(b.host()), Optional.ofNullable(b.hostLabel()),
                Bodies.required(b.publicKey(), "public_key"), Optional.ofNullable(b.comment()), b.options(),
                Optional.ofNullable(b.expiresAt())));
        Json.write(ctx, 201, HostViews.AuthorizedKeyView.of(k, clock.instant()));
    }

    void deleteKey(Context ctx, Caller caller) {
        long id = Paging.positiveLong("id", ctx.pathParam("id"));
        Json.write(ctx, 200, HostViews.AuthorizedKeyView.of(keys.delete(caller, id), clock.instant()));
    }

    void listKeys(Context ctx, Caller caller) {
        Paging.TextCursor p = Paging.textCursor(ctx, AgentReportService.FINGERPRINT, FINGERPRINT_SYNTAX);
        KeyInventoryService.Thresholds t = new KeyInventoryService.Thresholds(
                Paging.intParam(ctx, "unused_days", inventory.defaults().unusedDays(), 1, 36_500),
                Paging.intParam(ctx, "old_days", inventory.defaults().oldDays(), 1, 36_500));
        Optional<KeyPageDao.Flag> flag = Paging.filter(ctx, "flag").map(HostHandlers::flag);
        Optional<String> fingerprint = Paging.filter(ctx, "fingerprint");
        if (fingerprint.isPresent() && !AgentReportService.FINGERPRINT.matcher(fingerprint.get()).matches()) {
            throw ApiException.badRequest("fingerprint must be " + FINGERPRINT_SYNTAX);
        }
        KeyInventoryService.Inventory inv = inventory.list(new KeyInventoryService.Query(t, p.limit(), p.offset(),
                p.cursor(), flag, fingerprint, Paging.filter(ctx, "account"), Paging.filter(ctx, "host")));
        Json.write(ctx, 200, new KeysView(inv.keys(), inv.certificates().orElse(null), inv.total().orElse(null),
                p.limit(), p.offset(), t.unusedDays(), t.oldDays(), inv.nextCursor().orElse(null)));
    }

    static KeyPageDao.Flag flag(String v) {
        return KeyPageDao.Flag.parse(v).orElseThrow(() -> ApiException.badRequest("flag must be one of unused,"
                + " shared, weak, old, got '" + Paging.abbreviate(v) + "'"));
    }

    /** A page of the key inventory; certificates and total only without a cursor, next_cursor while more. */
    record KeysView(java.util.List<KeyInventoryService.KeyEntry> items,
            java.util.List<KeyInventoryService.CertUse> certificates, Integer total, int limit, int offset,
            int unusedDays, int oldDays, String nextCursor) {
    }
}
