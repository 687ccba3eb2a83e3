package dev.keyward.agent.protocol;

/** The inventory hash the server now holds for this host. */
public record InventoryAck(String hash) {
}
