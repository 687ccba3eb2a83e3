package dev.keyward.web.http;

import dev.keyward.web.audit.AuditEntry;
import dev.keyward.web.audit.AuditQuery;
import dev.keyward.web.auth.Caller;
import dev.keyward.web.http.Views.AuditKeyView;
import dev.keyward.web.http.Views.AuditView;
import dev.keyward.web.http.Views.Page;
import dev.keyward.web.http.Views.VerifyView;
import dev.keyward.web.service.AuditService;
import io.javalin.http.Context;
import java.util.List;

/**
 * The audit log: list (newest first, filters action/actor/subject), verify the chain against its checkpoints, and
 * the audit key's public half.
 */
final class AuditHandlers {
    private final AuditService audit;

    AuditHandlers(AuditService audit) {
        this.audit = audit;
    }

    void list(Context ctx, Caller caller) {
        Paging p = Paging.of(ctx);
        List<AuditEntry> items = audit.page(new AuditQuery(Paging.filter(ctx, "action"), Paging.filter(ctx, "actor"),
                Paging.filter(ctx, "subject"), p.cursor(), p.limit(), p.offset()));
        String next = items.size() == p.limit() ? Long.toString(items.get(items.size() - 1).seq()) : null;
        Json.write(ctx, 200, new Page<>(items.stream().map(AuditView::of).toList(), p.limit(), next));
    }

    void verify(Context ctx, Caller caller) {
        Json.write(ctx, 200, VerifyView.of(audit.verify()));
    }

    void key(Context ctx, Caller caller) {
        Json.write(ctx, 200, AuditKeyView.of(audit.auditKey().orElseThrow().signer().publicKey()));
    }
}
