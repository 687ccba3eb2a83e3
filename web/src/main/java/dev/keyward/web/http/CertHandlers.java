package dev.keyward.web.http;

import dev.keyward.ca.cert.CertType;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.config.Durations;
import dev.keyward.web.db.CertQuery;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.http.Bodies.HostCertRequest;
import dev.keyward.web.http.Bodies.RevocationRequest;
import dev.keyward.web.http.Bodies.RevokeCertRequest;
import dev.keyward.web.http.Bodies.UserCertRequest;
import dev.keyward.web.http.Views.CertRevokedView;
import dev.keyward.web.http.Views.CertView;
import dev.keyward.web.http.Views.Page;
import dev.keyward.web.http.Views.RevocationView;
import dev.keyward.web.service.CertificateService;
import dev.keyward.web.service.HostService;
import dev.keyward.web.service.IssuancePhases;
import dev.keyward.web.service.IssuanceService;
import dev.keyward.web.service.IssuanceService.IssueCommand;
import dev.keyward.web.service.RevocationService;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;

/** Certificates: issue, read, revoke. */
final class CertHandlers {
    private static final Set<String> STATUSES = Set.of("active", "expired", "revoked");

    private final IssuanceService issuance;
    private final CertificateService certificates;
    private final RevocationService revocations;
    private final HostService hosts;
    private final Clock clock;
    private final boolean serverTiming;

    /** {@code serverTiming}: answer each user certificate with a {@code Server-Timing} header ({@link IssuancePhases}). */
    CertHandlers(IssuanceService issuance, CertificateService certificates, RevocationService revocations,
            HostService hosts, Clock clock, boolean serverTiming) {
        this.issuance = issuance;
        this.certificates = certificates;
        this.revocations = revocations;
        this.hosts = hosts;
        this.clock = clock;
        this.serverTiming = serverTiming;
    }

    void issueUser(Context ctx, Caller caller) {
        UserCertRequest b = Json.read(ctx, UserCertRequest.class);
        IssueCommand cmd = new IssueCommand(Bodies.required(b.publicKey(), "public_key"),
                Optional.ofNullable(b.principals()), ttl(b.ttl()), Optional.ofNullable(b.keyId()),
                Optional.ofNullable(b.extensions()));
        IssuancePhases phases = serverTiming ? new IssuancePhases() : null;
        IssuedCert c = issuance.issue(caller, CertType.USER, cmd, phases);
        if (phases != null) {
            // from the request's first byte, as Jetty recorded it
            long begin = ServletContextRequest.getServletContextRequest(ctx.req()).getBeginNanoTime();
            ctx.header("Server-Timing", phases.serverTiming(begin, System.nanoTime()));
        }
        Json.send(ctx, 201, CertView.of(c, clock.instant()));
    }

    void issueHost(Context ctx, Caller caller) {
        HostCertRequest b = Json.read(ctx, HostCertRequest.class);
        IssueCommand cmd = new IssueCommand(Bodies.required(b.publicKey(), "public_key"),
                Optional.ofNullable(b.principals()), ttl(b.ttl()), Optional.empty());
        IssuedCert c = hosts.issueHostCert(caller, cmd);
        Json.send(ctx, 201, CertView.of(c, clock.instant()));
    }

    void list(Context ctx, Caller caller) {
        Paging p = Paging.of(ctx);
        Optional<String> status = Paging.filter(ctx, "status");
        if (status.isPresent() && !STATUSES.contains(status.get())) {
            throw ApiException.badRequest("status must be active, expired or revoked");
        }
        List<IssuedCert> items = certificates.list(new CertQuery(status, Paging.filter(ctx, "principal"),
                Paging.filter(ctx, "requester"), p.cursor(), p.limit(), p.offset()));
        Instant now = clock.instant();
        String next = items.size() == p.limit() ? Long.toString(items.get(items.size() - 1).serial()) : null;
        Json.write(ctx, 200, new Page<>(items.stream().map(c -> CertView.of(c, now)).toList(), p.limit(), next));
    }

    void get(Context ctx, Caller caller) {
        long serial = Paging.positiveLong("serial", ctx.pathParam("serial"));
        Json.write(ctx, 200, CertView.of(certificates.get(serial), clock.instant()));
    }

    void revoke(Context ctx, Caller caller) {
        long serial = Paging.positiveLong("serial", ctx.pathParam("serial"));
        RevokeCertRequest b = Json.read(ctx, RevokeCertRequest.class);
        RevocationService.CertRevokeResult r = revocations.revokeSerial(caller, serial,
                Bodies.required(b.reason(), "reason"));
        Json.write(ctx, 200, new CertRevokedView(CertView.of(r.certificate(), clock.instant()), r.krlVersion()));
    }

    void revokeKey(Context ctx, Caller caller) {
        RevocationRequest b = Json.read(ctx, RevocationRequest.class);
        RevocationService.RevokeResult r = revocations.revoke(caller, new RevocationService.RevokeRequest(
                Optional.ofNullable(b.publicKey()), Optional.ofNullable(b.fingerprint()), Optional.ofNullable(b.keyId()),
                Bodies.required(b.reason(), "reason")));
        Json.write(ctx, 201, RevocationView.of(r.revocation(), r.certificatesRevoked(), r.krlVersion()));
    }

    private static Optional<java.time.Duration> ttl(String ttl) {
        return Optional.ofNullable(ttl).map(t -> Durations.parse(t, "ttl"));
    }
}
