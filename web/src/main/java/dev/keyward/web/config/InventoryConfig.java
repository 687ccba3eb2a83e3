package dev.keyward.web.config;

import java.time.Duration;
import java.util.Optional;

/**
 * The key inventory's flags and the unused-key purge policy.
 *
 * @param unusedAfter      {@code inventory.unused_after} (default 90d): a key with no login for this long is
 *                         flagged {@code unused}
 * @param oldAfter         {@code inventory.old_after} (default 365d): a key first seen this long ago is flagged
 *                         {@code old}
 * @param purgeUnusedAfter {@code inventory.purge_unused_after} (default {@code off}): agents remove keys unused
 *                         this long from users' own authorized_keys (unconfirmed purges: the agent's bulk-purge
 *                         guard applies)
 */
public record InventoryConfig(Duration unusedAfter, Duration oldAfter, Optional<Duration> purgeUnusedAfter) {
    public static final InventoryConfig DEFAULTS = new InventoryConfig(Duration.ofDays(90), Duration.ofDays(365),
            Optional.empty());

    public InventoryConfig {
        if (unusedAfter.compareTo(Duration.ofDays(1)) < 0 || oldAfter.compareTo(Duration.ofDays(1)) < 0) {
            throw new ConfigException("inventory.unused_after and inventory.old_after must be at least 1d");
        }
        if (purgeUnusedAfter.isPresent() && purgeUnusedAfter.get().compareTo(Duration.ofDays(1)) < 0) {
            throw new ConfigException("inventory.purge_unused_after must be at least 1d, or off");
        }
    }
}
