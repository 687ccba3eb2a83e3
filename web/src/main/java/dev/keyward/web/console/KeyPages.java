package dev.keyward.web.console;

import dev.keyward.web.db.KeyPageDao;
import dev.keyward.web.http.ApiException;
import dev.keyward.web.http.Paging;
import dev.keyward.web.service.AgentReportService;
import dev.keyward.web.service.AuthorizedKeyService;
import dev.keyward.web.service.KeyInventoryService;
import dev.keyward.web.service.RevocationService;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keys: the inventory (paged in the database by fingerprint) with its flags, where each key is and its last use;
 * static keys added and deleted; a key revoked everywhere.
 */
public final class KeyPages {
    static final int PAGE = 50;
    private static final String FINGERPRINT_SYNTAX = "a key fingerprint (SHA256:<43 base64 characters>)";

    private final KeyInventoryService inventory;
    private final AuthorizedKeyService keys;
    private final RevocationService revocations;
    private final Pages pages;

    KeyPages(KeyInventoryService inventory, AuthorizedKeyService keys, RevocationService revocations, Pages pages) {
        this.inventory = inventory;
        this.keys = keys;
        this.revocations = revocations;
        this.pages = pages;
    }

    public record ListView(String flag, String fingerprint, String account, String host,
            List<KeyInventoryService.KeyEntry> keys, Integer total, String next, String notice) {
    }

    void list(Context ctx, Visit visit) {
        Optional<String> flagName = Paging.filter(ctx, "flag");
        Optional<KeyPageDao.Flag> flag = flagName.map(v -> KeyPageDao.Flag.parse(v).orElseThrow(() ->
                ApiException.badRequest("flag must be one of unused, shared, weak, old, got '" + Paging.abbreviate(v)
                        + "'")));
        Optional<String> fingerprint = fingerprint(Paging.filter(ctx, "fingerprint"), "fingerprint");
        Optional<String> after = fingerprint(Paging.filter(ctx, "after"), "after");
        Optional<String> account = Paging.filter(ctx, "account");
        Optional<String> host = Paging.filter(ctx, "host");
        KeyInventoryService.Inventory inv = inventory.list(new KeyInventoryService.Query(inventory.defaults(), PAGE, 0,
                after, flag, fingerprint, account, host));
        String next = inv.nextCursor().map(c -> Display.link("/keys", Display.query("flag", flagName.orElse(null),
                "fingerprint", fingerprint.orElse(null), "account", account.orElse(null), "host", host.orElse(null),
                "after", c))).orElse(null);
        String notice = Paging.filter(ctx, "done").map(KeyPages::notice).orElse(null);
        pages.render(ctx, 200, "keys", Map.of("frame", visit.frame("Keys", "keys"), "view", new ListView(
                flagName.orElse(""), fingerprint.orElse(""), account.orElse(""), host.orElse(""), inv.keys(),
                inv.total().orElse(null), next, notice)));
    }

    void addStatic(Context ctx, Visit visit) {
        List<String> options = Forms.optional(ctx, "options").map(v -> Arrays.stream(v.split("\\R"))
                .map(String::strip).filter(s -> !s.isEmpty()).toList()).orElse(List.of());
        keys.add(visit.caller(), new AuthorizedKeyService.AddKey(Forms.required(ctx, "account"),
                Forms.optional(ctx, "host"), Forms.optional(ctx, "host_label"), Forms.required(ctx, "public_key"),
                Forms.optional(ctx, "comment"), options, Forms.optional(ctx, "expires_at")));
        ctx.redirect("/keys?done=added", HttpStatus.SEE_OTHER);
    }

    void deleteStatic(Context ctx, Visit visit) {
        keys.delete(visit.caller(), Paging.positiveLong("id", ctx.pathParam("id")));
        ctx.redirect("/keys?done=deleted", HttpStatus.SEE_OTHER);
    }

    /** Revokes a key everywhere by fingerprint, after the confirmation box was ticked. */
    void revoke(Context ctx, Visit visit) {
        String fp = fingerprint(Optional.of(Forms.required(ctx, "fingerprint")), "fingerprint").orElseThrow();
        String reason = Forms.required(ctx, "reason");
        Forms.confirmed(ctx, "revoking a key everywhere cannot be undone");
        revocations.revoke(visit.caller(), new RevocationService.RevokeRequest(Optional.empty(), Optional.of(fp),
                Optional.empty(), reason));
        ctx.redirect("/keys?done=revoked", HttpStatus.SEE_OTHER);
    }

    private static Optional<String> fingerprint(Optional<String> v, String field) {
        if (v.isPresent() && !AgentReportService.FINGERPRINT.matcher(v.get()).matches()) {
            throw ApiException.badRequest(field + " must be " + FINGERPRINT_SYNTAX);
        }
        return v;
    }

    private static String notice(String done) {
        return switch (done) {
            case "added" -> "Static key added. Agents install it on their next cycle; it shows here once an agent"
                    + " reports it.";
            case "deleted" -> "Static key deleted. Agents remove it on their next cycle.";
            case "revoked" -> "Key revoked everywhere: it is in the KRL hosts fetch.";
            default -> null;
        };
    }
}
