package dev.keyward.web.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * The whole server configuration, validated.
 *
 * @param home   where embedded state lives ({@code $KEYWARD_HOME}, default {@code ./.keyward})
 * @param policy the raw {@code policy:} tree, handed to the issuance policy (empty: safe defaults)
 * @param inventory the key inventory's flags and unused-key purge policy
 */
public record ServerConfig(Path home, HttpConfig http, DatabaseConfig database, CaKeysConfig ca, TokensConfig tokens,
        KrlConfig krl, Map<String, Object> policy, InventoryConfig inventory) {

    public ServerConfig {
        policy = Map.copyOf(policy);
    }

    public ServerConfig withHttp(HttpConfig newHttp) {
        return new ServerConfig(home, newHttp, database, ca, tokens, krl, policy, inventory);
    }

    public ServerConfig withDatabase(DatabaseConfig newDatabase) {
        return new ServerConfig(home, http, newDatabase, ca, tokens, krl, policy, inventory);
    }

    public ServerConfig withCa(CaKeysConfig newCa) {
        return new ServerConfig(home, http, database, newCa, tokens, krl, policy, inventory);
    }

    public ServerConfig withPolicy(Map<String, Object> newPolicy) {
        return new ServerConfig(home, http, database, ca, tokens, krl, newPolicy, inventory);
    }
}
