package dev.keyward.web.service;

import dev.keyward.web.config.InventoryConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.http.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The services behind hosts and their agents, wired together: registration and enrollment, the agents' desired
 * state (and the watcher that wakes long polls), agent reports, static keys and the key inventory.
 */
public record HostServices(HostService hosts, AgentStateService state, AgentReportService reports,
        AuthorizedKeyService authorizedKeys, KeyInventoryService inventory, AgentStateWatcher watcher,
        ExecutorService executor) implements AutoCloseable {

    /** How often a node re-reads the state and KRL versions to notice changes made through other nodes. */
    public static final Duration WATCH_INTERVAL = Duration.ofMillis(250);

    /**
     * @param credentialTtl    lifetime of host credentials (the longest API token lifetime)
     * @param inventory        the inventory flags and the unused-key purge policy
     */
    public static HostServices create(Database db, KrlService krl, IssuanceService issuance,
            Clock clock, Duration credentialTtl, InventoryConfig inventory) {
        AgentStateWatcher watcher = new AgentStateWatcher(db, krl, WATCH_INTERVAL);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "keyward-agent-state");
            t.setDaemon(true);
            return t;
        });
        return new HostServices(new HostService(db, issuance, watcher, clock, credentialTtl),
                new AgentStateService(db, krl, watcher, clock, Json.MAPPER, inventory.purgeUnusedAfter(), executor),
                new AgentReportService(db, watcher, clock), new AuthorizedKeyService(db, watcher, clock),
                new KeyInventoryService(db, clock, inventory), watcher, executor);
    }

    @Override
    public void close() {
        watcher.close();
        executor.shutdown();
        try {
            executor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
