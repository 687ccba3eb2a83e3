package dev.keyward.web.http;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.service.CaKeyLifecycle;
import dev.keyward.web.service.CaKeyStatus;
import dev.keyward.web.service.ComplianceCsv;
import dev.keyward.web.service.ComplianceReports;
import io.javalin.http.Context;
import java.util.Optional;

/** CA key versions ({@code /ca/keys}: status, rotate, activate, destroy, revoke) and the compliance report. */
final class CaKeyHandlers {
    private final CaKeyLifecycle lifecycle;
    private final CaKeyStatus status;
    private final ComplianceReports compliance;

    CaKeyHandlers(CaKeyLifecycle lifecycle, CaKeyStatus status, ComplianceReports compliance) {
        this.lifecycle = lifecycle;
        this.status = status;
        this.compliance = compliance;
    }

    void list(Context ctx, Caller caller) {
        Json.write(ctx, 200, CaKeyViews.StatusView.of(status.status()));
    }

    void rotate(Context ctx, Caller caller) {
        Bodies.RotateCaKey b = Json.read(ctx, Bodies.RotateCaKey.class);
        CertType purpose = purpose(b.purpose());
        Optional<CaAlgorithm> algorithm = Optional.ofNullable(b.algorithm()).map(a -> {
            try {
                return CaAlgorithm.parse(a);
            } catch (InvalidInputException e) {
                throw ApiException.badRequest("field 'algorithm' must be ecdsa-p256, ecdsa-p384, rsa-3072 or rsa-4096"
                        + " (ed25519 for software keys only)");
            }
        });
        Json.write(ctx, 201, CaKeyViews.KeyView.of(lifecycle.rotate(caller, purpose, algorithm)));
    }

    void activate(Context ctx, Caller caller) {
        long id = Paging.positiveLong("id", ctx.pathParam("id"));
        Bodies.CaKeyStep b = Json.read(ctx, Bodies.CaKeyStep.class);
        Json.write(ctx, 200, CaKeyViews.KeyView.of(lifecycle.activate(caller, purpose(b.purpose()), id,
                Boolean.TRUE.equals(b.force()))));
    }

    void destroy(Context ctx, Caller caller) {
        long id = Paging.positiveLong("id", ctx.pathParam("id"));
        Bodies.CaKeyStep b = Json.read(ctx, Bodies.CaKeyStep.class);
        Json.write(ctx, 200, CaKeyViews.KeyView.of(lifecycle.destroy(caller, purpose(b.purpose()), id,
                Boolean.TRUE.equals(b.force()))));
    }

    void revoke(Context ctx, Caller caller) {
        long id = Paging.positiveLong("id", ctx.pathParam("id"));
        Bodies.RevokeCaKey b = Json.read(ctx, Bodies.RevokeCaKey.class);
        CertType purpose = purpose(b.purpose());
        CaKeyLifecycle.Revoked r = lifecycle.revoke(caller, purpose, id, Bodies.required(b.reason(), "reason"));
        Json.write(ctx, 200, CaKeyViews.RevokedView.of(r));
    }

    /** JSON, or CSV (a row per finding) for {@code Accept: text/csv}. */
    void compliance(Context ctx, Caller caller) {
        String accept = ctx.header("Accept");
        var report = compliance.build();
        if (accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/csv")) {
            ctx.status(200).contentType("text/csv; charset=utf-8").result(ComplianceCsv.render(report, Json.MAPPER));
            return;
        }
        Json.write(ctx, 200, report);
    }

    private static CertType purpose(String p) {
        String v = Bodies.required(p, "purpose");
        if (!v.equals("user") && !v.equals("host")) {
            throw ApiException.badRequest("field 'purpose' must be user or host");
        }
        return CertType.parse(v);
    }
}
