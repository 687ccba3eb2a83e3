package dev.keyward.web.console;

import dev.keyward.ca.Durations;
import dev.keyward.web.service.CaKeyStatus;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;

/** CA keys: every key version's state, age and certificates still valid, and each purpose's rotation progress. */
public final class CaKeyPages {
    private final CaKeyStatus status;
    private final Pages pages;

    CaKeyPages(CaKeyStatus status, Pages pages) {
        this.status = status;
        this.pages = pages;
    }

    public record Row(long id, String purpose, String state, String algorithm, int bits, String fingerprint,
            String age, long validCertificates, boolean trusted, String created, String activated, String retired,
            String trustedUntil, String revocationReason) {
    }

    public record View(long trustVersion, List<Row> keys, List<CaKeyStatus.Progress> progress) {
    }

    void show(Context ctx, Visit visit) {
        CaKeyStatus.Status s = status.status();
        List<Row> rows = s.keys().stream().map(k -> new Row(k.key().id(), k.key().purpose().label(),
                k.key().state().label(), k.algorithm(), k.bits(), k.key().fingerprint(),
                Durations.format(k.age().withNanos(0)), k.validCertificates(), k.trusted(),
                Display.time(k.key().createdAt()), Display.time(k.key().activatedAt()),
                Display.time(k.key().retiredAt()), Display.time(k.key().trustedUntil()),
                k.key().revocationReason().orElse(""))).toList();
        pages.render(ctx, 200, "ca-keys", Map.of("frame", visit.frame("CA keys", "ca-keys"), "view",
                new View(s.trustVersion(), rows, s.progress())));
    }
}
