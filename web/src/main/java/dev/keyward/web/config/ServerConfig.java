package dev.keyward.web.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The whole server configuration, validated.
 *
 * @param home   where embedded state lives ({@code $KEYWARD_HOME}, default {@code ./.keyward})
 * @param policy the raw {@code policy:} tree, handed to the issuance policy (empty: safe defaults)
 * @param oidc   the {@code oidc:} section: JWT bearer tokens from one issuer (empty: API tokens only)
 * @param inventory the key inventory's flags and unused-key purge policy ({@code inventory:})
 * @param audit  the audit key, checkpoints and their sinks ({@code audit:})
 * @param logFormat how the server writes its log ({@code log.format}: text or json)
 * @param console the admin console's session lifetimes ({@code console:})
 */
public record ServerConfig(Path home, HttpConfig http, DatabaseConfig database, CaKeysConfig ca, TokensConfig tokens,
        KrlConfig krl, Map<String, Object> policy, Optional<OidcConfig> oidc, InventoryConfig inventory,
        AuditConfig audit, LogFormat logFormat, ConsoleConfig console) {

    public ServerConfig {
        // not Map.copyOf: a key written without a value ("rules:") is a null the policy loader names, not an NPE here
        policy = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(policy));
    }

    /** Without OIDC. */
    public ServerConfig(Path home, HttpConfig http, DatabaseConfig database, CaKeysConfig ca, TokensConfig tokens,
            KrlConfig krl, Map<String, Object> policy) {
        this(home, http, database, ca, tokens, krl, policy, Optional.empty(), InventoryConfig.DEFAULTS,
                AuditConfig.defaults(home), LogFormat.TEXT, ConsoleConfig.DEFAULTS);
    }

    public ServerConfig withHttp(HttpConfig newHttp) {
        return new ServerConfig(home, newHttp, database, ca, tokens, krl, policy, oidc,
                inventory, audit, logFormat, console);
    }

    public ServerConfig withDatabase(DatabaseConfig newDatabase) {
        return new ServerConfig(home, http, newDatabase, ca, tokens, krl, policy, oidc,
                inventory, audit, logFormat, console);
    }

    public ServerConfig withCa(CaKeysConfig newCa) {
        return new ServerConfig(home, http, database, newCa, tokens, krl, policy, oidc,
                inventory, audit, logFormat, console);
    }

    public ServerConfig withPolicy(Map<String, Object> newPolicy) {
        return new ServerConfig(home, http, database, ca, tokens, krl, newPolicy, oidc,
                inventory, audit, logFormat, console);
    }

    public ServerConfig withOidc(Optional<OidcConfig> newOidc) {
        return new ServerConfig(home, http, database, ca, tokens, krl, policy, newOidc,
                inventory, audit, logFormat, console);
    }
}
