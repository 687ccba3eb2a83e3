package dev.keyward.web.console;

import dev.keyward.web.db.CertQuery;
import dev.keyward.web.db.IssuedCert;
import dev.keyward.web.http.ApiException;
import dev.keyward.web.http.Paging;
import dev.keyward.web.service.CertificateService;
import dev.keyward.web.service.KrlService;
import dev.keyward.web.service.RevocationService;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Certificates: search and filter (paged in the database), one certificate, revoke with a reason. */
final class CertPages {
    static final int PAGE = 50;
    private static final Set<String> STATUSES = Set.of("active", "expired", "revoked");

    private final CertificateService certificates;
    private final RevocationService revocations;
    private final KrlService krl;
    private final Clock clock;
    private final Pages pages;

    CertPages(CertificateService certificates, RevocationService revocations, KrlService krl, Clock clock,
            Pages pages) {
        this.certificates = certificates;
        this.revocations = revocations;
        this.krl = krl;
        this.clock = clock;
        this.pages = pages;
    }

    void list(Context ctx, Visit visit) {
        Optional<String> serial = Paging.filter(ctx, "serial");
        if (serial.isPresent()) {
            ctx.redirect("/certificates/" + Paging.positiveLong("serial", serial.get().strip()), HttpStatus.SEE_OTHER);
            return;
        }
        Optional<String> status = Paging.filter(ctx, "status");
        if (status.isPresent() && !STATUSES.contains(status.get())) {
            throw ApiException.badRequest("status must be active, expired or revoked");
        }
        Optional<String> principal = Paging.filter(ctx, "principal");
        Optional<String> requester = Paging.filter(ctx, "requester");
        Optional<Long> before = Paging.filter(ctx, "before").map(v -> Paging.positiveLong("before", v));
        List<IssuedCert> items = certificates.list(new CertQuery(status, principal, requester, before, PAGE, 0));
        Instant now = clock.instant();
        String next = items.size() < PAGE ? null : Display.link("/certificates", Display.query("status",
                status.orElse(null), "principal", principal.orElse(null), "requester", requester.orElse(null),
                "before", Long.toString(items.get(items.size() - 1).serial())));
        pages.render(ctx, 200, "certificates", Map.of("frame", visit.frame("Certificates", "certificates"),
                "view", new CertViews.ListView(status.orElse(""), principal.orElse(""), requester.orElse(""),
                        items.stream().map(c -> CertViews.Row.of(c, now)).toList(), next, krl.current().version())));
    }

    void detail(Context ctx, Visit visit) {
        long serial = Paging.positiveLong("serial", ctx.pathParam("serial"));
        long revokedNow = Paging.filter(ctx, "revoked").map(v -> Paging.positiveLong("revoked", v)).orElse(0L);
        CertViews.Row row = CertViews.Row.of(certificates.get(serial), clock.instant());
        pages.render(ctx, 200, "certificate", Map.of("frame", visit.frame("Certificate " + serial, "certificates"),
                "view", new CertViews.Detail(row, krl.current().version(), revokedNow,
                        visit.admin() && !row.status().equals("revoked"))));
    }

    /** Revokes after the confirmation box was ticked; the page then shows the KRL version the revocation made. */
    void revoke(Context ctx, Visit visit) {
        long serial = Paging.positiveLong("serial", ctx.pathParam("serial"));
        String reason = Forms.required(ctx, "reason");
        Forms.confirmed(ctx, "revoking a certificate cannot be undone");
        RevocationService.CertRevokeResult r = revocations.revokeSerial(visit.caller(), serial, reason);
        ctx.redirect("/certificates/" + serial + "?revoked=" + r.krlVersion(), HttpStatus.SEE_OTHER);
    }
}
