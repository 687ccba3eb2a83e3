package dev.keyward.web.service;

import dev.keyward.web.auth.Authenticators;
import dev.keyward.web.auth.oidc.SignInOffer;
import dev.keyward.web.db.Database;
import dev.keyward.web.metrics.ServerMetrics;
import java.time.Clock;

/** Everything the HTTP layer calls, wired once at start-up. */
public record Services(Clock clock, Database db, CaKeys caKeys, Authenticators authenticators, TokenService tokens,
        IssuanceService issuance, CertificateService certificates, RevocationService revocations, KrlService krl,
        TrustService trust, AuditService audit, AuditCheckpointer checkpoints, Readiness readiness, ServerMetrics metrics, HostServices hosts,
        CaKeyLifecycle caLifecycle, CaKeyStatus caStatus, ComplianceReports compliance, SignInOffer signIn,
        ConsoleServices console) {
}
