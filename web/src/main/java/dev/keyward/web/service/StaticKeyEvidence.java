package dev.keyward.web.service;

import dev.keyward.web.config.InventoryConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.ComplianceReport.Stage;
import dev.keyward.web.service.KeyInventoryService.KeyEntry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The static keys part of the compliance report: every key the agents found in authorized_keys files or that an
 * admin authorized, read page by page from the key inventory ({@code GET /keys} with the configured thresholds), and
 * a finding per key and flag: unused ({@code inventory.unused_after}), shared (several accounts or hosts), weak,
 * old ({@code inventory.old_after}, the rotation policy), and without an owner (found in a file, with no static key
 * record that an admin made for it).
 */
final class StaticKeyEvidence {
    private static final int PAGE = 1000;

    private final KeyInventoryService inventory;

    StaticKeyEvidence(Database db, Clock clock, InventoryConfig config) {
        this.inventory = new KeyInventoryService(db, clock, config);
    }

    void add(Map<String, Stage> stages) {
        int keys = 0;
        int locations = 0;
        Map<String, Integer> byFlag = new TreeMap<>();
        Map<String, Integer> byType = new TreeMap<>();
        Optional<String> cursor = Optional.empty();
        while (true) {
            KeyInventoryService.Inventory page = inventory.list(new KeyInventoryService.Query(inventory.defaults(), PAGE,
                    0, cursor, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty()));
            for (KeyEntry k : page.keys()) {
                keys++;
                locations += k.locations().size();
                byType.merge(k.type(), 1, Integer::sum);
                for (String flag : k.flags()) {
                    byFlag.merge(flag, 1, Integer::sum);
                }
                findings(k, stages);
                if (k.locations().stream().noneMatch(l -> "static".equals(l.source()))) {
                    byFlag.merge("no_owner", 1, Integer::sum);
                }
            }
            if (page.nextCursor().isEmpty()) {
                break;
            }
            cursor = page.nextCursor();
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("keys", keys);
        e.put("locations", locations);
        e.put("by_type", byType);
        e.put("by_flag", byFlag);
        e.put("unused_after_days", inventory.defaults().unusedDays());
        e.put("old_after_days", inventory.defaults().oldDays());
        stages.get("inventory").evidence().put("static_keys", e);
    }

    private static void findings(KeyEntry k, Map<String, Stage> stages) {
        String subject = "key:" + k.fingerprint();
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("fingerprint", k.fingerprint());
        e.put("type", k.type());
        e.put("bits", k.bits());
        e.putAll(ComplianceReports.where(k.locations()));
        e.put("first_seen_at", k.firstSeenAt());
        e.put("last_used_at", k.lastUsedAt());
        String where = " (" + String.join(", ", hostsAndAccounts(e)) + ")";
        if (k.flags().contains("unused")) {
            ComplianceReports.add(stages, ComplianceRules.STATIC_KEY_UNUSED.finding(subject, "key " + k.fingerprint()
                    + where + " was not used to log in since " + (k.lastUsedAt() != null ? k.lastUsedAt()
                            : "it was first seen (" + k.firstSeenAt() + ")") + ": remove it", e));
        }
        if (k.flags().contains("shared")) {
            ComplianceReports.add(stages, ComplianceRules.STATIC_KEY_SHARED.finding(subject, "key " + k.fingerprint()
                    + " is authorized for several accounts or hosts" + where + ": one key per person and use", e));
        }
        if (k.flags().contains("weak")) {
            ComplianceReports.add(stages, ComplianceRules.STATIC_KEY_WEAK.finding(subject, k.type() + " key "
                    + k.fingerprint() + " (" + k.bits() + " bits)" + where + " is weak: replace it", e));
        }
        if (k.flags().contains("old")) {
            ComplianceReports.add(stages, ComplianceRules.STATIC_KEY_OLD.finding(subject, "key " + k.fingerprint()
                    + where + " was first seen " + k.firstSeenAt() + ", longer ago than the rotation policy"
                    + " (inventory.old_after): rotate it", e));
        }
        if (k.locations().stream().noneMatch(l -> "static".equals(l.source()))) {
            ComplianceReports.add(stages, ComplianceRules.STATIC_KEY_NO_OWNER.finding(subject, "key " + k.fingerprint()
                    + where + " is in authorized_keys without a static key record naming its owner", e));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> hostsAndAccounts(Map<String, Object> e) {
        List<String> out = new java.util.ArrayList<>();
        ((List<String>) e.get("hosts")).forEach(h -> out.add("host " + h));
        ((List<String>) e.getOrDefault("host_labels", List.of())).forEach(l -> out.add("label " + l));
        ((List<String>) e.get("accounts")).forEach(a -> out.add("account " + a));
        return out;
    }
}
