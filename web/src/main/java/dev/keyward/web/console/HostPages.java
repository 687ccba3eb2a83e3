package dev.keyward.web.console;

import dev.keyward.web.db.AgentStatusDao;
import dev.keyward.web.db.HostDao.Host;
import dev.keyward.web.http.Paging;
import dev.keyward.web.service.HostCredentialService;
import dev.keyward.web.service.HostService;
import dev.keyward.web.service.OverviewService;
import io.javalin.http.Context;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Hosts: the registered hosts (paged in the database) with mode, labels, agent status and credential expiry;
 * registering one and a new join token for one, each shown once with the enroll command.
 */
public final class HostPages {
    static final int PAGE = 50;

    private final HostService hosts;
    private final OverviewService overview;
    private final Pages pages;

    HostPages(HostService hosts, OverviewService overview, Pages pages) {
        this.hosts = hosts;
        this.overview = overview;
        this.pages = pages;
    }

    /** One host as a row. {@code trustCurrent}/{@code krlCurrent}: its agent reports the versions served now. */
    public record Row(long id, String hostname, String mode, String labels, String principals, String status,
            String lastSeen, String agentVersion, String usage, String trustVersion, boolean trustCurrent,
            String krlVersion, boolean krlCurrent, String credentialExpires, String credentialStatus) {
    }

    public record ListView(List<Row> rows, String next, String previous, OverviewService.Versions versions) {
    }

    /** The join token, shown on this page once, and the command that uses it. */
    public record Created(long id, String hostname, String joinToken, String expiresAt, String command) {
    }

    void list(Context ctx, Visit visit) {
        int offset = Paging.intParam(ctx, "offset", 0, 0, Paging.MAX_OFFSET);
        List<Host> page = hosts.list(PAGE, offset);
        Map<Long, AgentStatusDao.AgentStatus> agents = hosts.agentStatuses(page);
        Map<Long, HostCredentialService.CredentialState> credentials = hosts.credentials().credentials(page);
        OverviewService.Versions v = overview.versions();
        List<Row> rows = page.stream().map(h -> row(h, agents.get(h.id()), credentials.get(h.id()), v)).toList();
        pages.render(ctx, 200, "hosts", Map.of("frame", visit.frame("Hosts", "hosts"), "view", new ListView(rows,
                rows.size() < PAGE ? null : "/hosts?offset=" + (offset + PAGE),
                offset == 0 ? null : "/hosts?offset=" + Math.max(0, offset - PAGE), v)));
    }

    void register(Context ctx, Visit visit) {
        HostService.CreatedHost c = hosts.create(visit.caller(), new HostService.CreateHost(
                Forms.required(ctx, "hostname"), list(ctx, "principals"), Forms.optional(ctx, "mode"),
                list(ctx, "labels")));
        created(ctx, visit, c, "Host registered");
    }

    void joinToken(Context ctx, Visit visit) {
        long id = Paging.positiveLong("id", ctx.pathParam("id"));
        created(ctx, visit, hosts.newJoinToken(visit.caller(), id), "New join token");
    }

    private void created(Context ctx, Visit visit, HostService.CreatedHost c, String title) {
        String server = ctx.scheme() + "://" + Optional.ofNullable(ctx.header("Host")).orElse("SERVER");
        String command = "keyward-agent enroll --server " + server + " --join-token-file /root/join-token";
        pages.render(ctx, 200, "host-created", Map.of("frame", visit.frame(title, "hosts"), "view",
                new Created(c.host().id(), c.host().hostname(), c.joinToken(), Display.time(c.joinTokenExpiresAt()),
                        command)));
    }

    /** A comma- or whitespace-separated list field; null when empty (the service's default applies). */
    private static List<String> list(Context ctx, String field) {
        return Forms.optional(ctx, field).map(v -> Arrays.stream(v.split("[,\\s]+")).filter(s -> !s.isEmpty())
                .toList()).orElse(null);
    }

    private static Row row(Host h, AgentStatusDao.AgentStatus a, HostCredentialService.CredentialState c,
            OverviewService.Versions v) {
        Optional<AgentStatusDao.AgentStatus> agent = Optional.ofNullable(a);
        Optional<Long> trust = agent.flatMap(AgentStatusDao.AgentStatus::trustVersion);
        Optional<BigInteger> krl = agent.flatMap(AgentStatusDao.AgentStatus::krlVersion);
        return new Row(h.id(), h.hostname(), h.mode(), String.join(", ", h.labels()), String.join(", ", h.principals()),
                h.enrolledAt().isPresent() ? "enrolled" : "registered", Display.time(h.lastSeenAt()),
                agent.flatMap(AgentStatusDao.AgentStatus::agentVersion).orElse(""),
                agent.map(AgentStatusDao.AgentStatus::usageSource).orElse(""),
                trust.map(Object::toString).orElse(""), trust.map(t -> t == v.trust()).orElse(false),
                krl.map(Object::toString).orElse(""), krl.map(k -> k.equals(BigInteger.valueOf(v.krl()))).orElse(false),
                c == null ? "" : Display.time(c.expiresAt()), c == null ? "" : c.status());
    }
}
