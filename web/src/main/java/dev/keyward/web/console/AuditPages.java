package dev.keyward.web.console;

import dev.keyward.web.audit.AuditEntry;
import dev.keyward.web.audit.AuditQuery;
import dev.keyward.web.audit.AuditReport;
import dev.keyward.web.http.Paging;
import dev.keyward.web.service.AuditService;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The audit log with its filters (paged in the database), and the chain's verification against its checkpoints. */
public final class AuditPages {
    static final int PAGE = 50;

    private final AuditService audit;
    private final Pages pages;

    AuditPages(AuditService audit, Pages pages) {
        this.audit = audit;
        this.pages = pages;
    }

    public record Row(long seq, String at, String actor, String action, String subject, String details) {
    }

    public record ListView(String action, String actor, String subject, List<Row> rows, String next) {
    }

    /** The verification: the report, and the newest checkpoint's sequence number and time (empty without one). */
    public record VerifyView(AuditReport report, String newestCheckpoint) {
    }

    void list(Context ctx, Visit visit) {
        Optional<String> action = Paging.filter(ctx, "action");
        Optional<String> actor = Paging.filter(ctx, "actor");
        Optional<String> subject = Paging.filter(ctx, "subject");
        Optional<Long> before = Paging.filter(ctx, "before").map(v -> Paging.positiveLong("before", v));
        List<AuditEntry> items = audit.page(new AuditQuery(action, actor, subject, before, PAGE, 0));
        String next = items.size() < PAGE ? null : Display.link("/audit", Display.query("action",
                action.orElse(null), "actor", actor.orElse(null), "subject", subject.orElse(null), "before",
                Long.toString(items.get(items.size() - 1).seq())));
        List<Row> rows = items.stream().map(e -> new Row(e.seq(), Display.time(e.occurredAt()), e.actor(),
                e.action(), e.subject(), e.details())).toList();
        pages.render(ctx, 200, "audit", Map.of("frame", visit.frame("Audit log", "audit"), "view",
                new ListView(action.orElse(""), actor.orElse(""), subject.orElse(""), rows, next)));
    }

    void verify(Context ctx, Visit visit) {
        AuditReport r = audit.verify();
        String newest = r.checkpoints().newest().map(c -> "entry " + c.seq() + " at " + Display.time(c.time()))
                .orElse("");
        pages.render(ctx, 200, "audit-verify", Map.of("frame", visit.frame("Audit chain verification", "audit"),
                "view", new VerifyView(r, newest)));
    }
}
