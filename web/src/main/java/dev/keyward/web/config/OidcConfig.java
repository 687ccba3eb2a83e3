package dev.keyward.web.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.web.auth.Role;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * OIDC: JWT bearer tokens from one issuer are accepted besides Keyward API tokens.
 *
 * @param issuer                 {@code oidc.issuer}: the issuer URL, compared exactly with the token's {@code iss};
 *                               https, or http on a loopback address only
 * @param audience               {@code oidc.audience}: the token's {@code aud} must contain this value (the
 *                               client ID or API identifier Keyward is registered under at the issuer)
 * @param jwksUri                {@code oidc.jwks_uri}: where the issuer's signing keys are; empty means the
 *                               {@code jwks_uri} of {@code {issuer}/.well-known/openid-configuration}
 * @param usernameClaim          {@code oidc.username_claim} (default {@code preferred_username}): the claim whose
 *                               value is the caller's username, i.e. {@code {{username}}} in the policy. There is
 *                               no fallback to another claim: a token without it is refused
 * @param groupsClaim            {@code oidc.groups_claim} (default {@code groups}): a list of strings (or one
 *                               string) with the caller's groups; absent means no groups
 * @param roleGroups             {@code oidc.role_groups}: for admin, engineer and auditor, the groups that grant
 *                               the role (a caller may hold several); the host role is never granted via OIDC
 * @param allowedAlgorithms      {@code oidc.allowed_algorithms} (default RS256, ES256): asymmetric JWS
 *                               algorithms only; {@code none} and HMAC are refused
 * @param clockSkew              {@code oidc.clock_skew} (default 60s, at most 5m): tolerance for exp, nbf, iat
 * @param jwksCacheTtl           {@code oidc.jwks_cache_ttl} (default 5m): how long fetched keys are used before
 *                               they are fetched again
 * @param jwksRefreshMinInterval {@code oidc.jwks_refresh_min_interval} (default 30s): at most two fetches of the
 *                               keys within this interval, however many tokens with unknown key IDs arrive
 * @param login                  {@code oidc.login}: how {@code keyward login} signs engineers in at the issuer
 *                               (empty: it does not; OIDC tokens are then accepted but never obtained by the CLI)
 */
public record OidcConfig(String issuer, String audience, Optional<URI> jwksUri, String usernameClaim,
        String groupsClaim, Map<Role, Set<String>> roleGroups, Set<String> allowedAlgorithms, Duration clockSkew,
        Duration jwksCacheTtl, Duration jwksRefreshMinInterval, Optional<OidcLoginConfig> login) {

    static final Set<String> KEYS = Set.of("issuer", "audience", "jwks_uri", "username_claim", "groups_claim",
            "role_groups", "allowed_algorithms", "clock_skew", "jwks_cache_ttl", "jwks_refresh_min_interval",
            "login");
    /** Asymmetric JWS algorithms the JDK verifies without extra providers (RFC 7518 section 3.1). */
    public static final Set<String> SUPPORTED_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384",
            "PS512", "ES256", "ES384", "ES512");
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256");
    private static final Pattern CLAIM_NAME = Pattern.compile("[\\x21-\\x7e]{1,128}");

    public OidcConfig {
        for (Object v : new Object[] {issuer, audience, jwksUri, usernameClaim, groupsClaim, roleGroups,
                allowedAlgorithms, clockSkew, jwksCacheTtl, jwksRefreshMinInterval, login}) {
            Objects.requireNonNull(v);
        }
        URI iss = secureUrl("oidc.issuer", issuer);
        if (iss.getRawQuery() != null || iss.getRawFragment() != null) {
            throw new ConfigException("oidc.issuer must not have a query or fragment (OpenID Connect Discovery 1.0"
                    + " section 2), got '" + abbreviate(issuer) + "'");
        }
        jwksUri.ifPresent(u -> secureUrl("oidc.jwks_uri", u.toString()));
        if (audience.isBlank()) {
            throw new ConfigException("oidc.audience is empty; set it to the client ID or API identifier Keyward is"
                    + " registered under at the issuer (the value the tokens carry in aud)");
        }
        claimName("oidc.username_claim", usernameClaim);
        claimName("oidc.groups_claim", groupsClaim);
        EnumMap<Role, Set<String>> rg = new EnumMap<>(Role.class);
        roleGroups.forEach((role, groups) -> {
            if (role == Role.HOST) {
                throw new ConfigException("oidc.role_groups.host: the host role is never granted through OIDC; hosts"
                        + " authenticate with host API tokens (POST /api/v1/tokens with role host)");
            }
            rg.put(role, Set.copyOf(groups));
        });
        roleGroups = java.util.Collections.unmodifiableMap(rg);
        if (allowedAlgorithms.isEmpty()) {
            throw new ConfigException("oidc.allowed_algorithms is empty; use e.g. [RS256, ES256]");
        }
        for (String a : allowedAlgorithms) {
            checkAlgorithm(a);
        }
        allowedAlgorithms = Set.copyOf(allowedAlgorithms);
        if (clockSkew.isNegative() || clockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new ConfigException("oidc.clock_skew must be between 0s and 5m, got " + Durations.format(clockSkew));
        }
        if (jwksCacheTtl.compareTo(Duration.ofSeconds(30)) < 0 || jwksCacheTtl.compareTo(Duration.ofDays(1)) > 0) {
            throw new ConfigException("oidc.jwks_cache_ttl must be between 30s and 1d, got "
                    + Durations.format(jwksCacheTtl));
        }
        if (jwksRefreshMinInterval.compareTo(Duration.ofSeconds(1)) < 0
                || jwksRefreshMinInterval.compareTo(jwksCacheTtl) >= 0) {
            throw new ConfigException("oidc.jwks_refresh_min_interval must be at least 1s and shorter than"
                    + " oidc.jwks_cache_ttl (" + Durations.format(jwksCacheTtl) + "), got "
                    + Durations.format(jwksRefreshMinInterval));
        }
    }

    /** The discovery document's URL ({@code /.well-known/openid-configuration} under the issuer). */
    public URI discoveryUri() {
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + "/.well-known/openid-configuration");
    }

    /**
     * Parses {@code value} as an absolute http(s) URL and refuses plain http except on a loopback address: keys
     * and discovery fetched over plain HTTP could be replaced by anyone on the path, so every token would be
     * forgeable. {@code key} names the setting (or the discovery field) in the error.
     */
    public static URI secureUrl(String key, String value) {
        URI u;
        try {
            u = new URI(value);
        } catch (URISyntaxException e) {
            throw new ConfigException(key + " '" + abbreviate(value) + "' is not a URL: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!u.isAbsolute() || u.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new ConfigException(key + " must be an absolute https:// URL, got '" + abbreviate(value) + "'");
        }
        if (scheme.equals("http") && !isLoopbackHost(u.getHost())) {
            throw new ConfigException(key + " must use https (plain http is allowed only on a loopback address such"
                    + " as 127.0.0.1), got '" + abbreviate(value) + "'");
        }
        return u;
    }

    /**
     * Whether {@code host} is "localhost" or a loopback IP literal. Names are never resolved: what a name resolves
     * to can change after start-up.
     */
    static boolean isLoopbackHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (!h.contains(":") && !h.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return false;
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress(); // an IP literal: parsed, not looked up
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void checkAlgorithm(String a) {
        String up = a.toUpperCase(Locale.ROOT);
        if (up.equals("NONE")) {
            throw new ConfigException("oidc.allowed_algorithms must not contain none: unsigned tokens would let anyone"
                    + " claim any identity");
        }
        if (up.startsWith("HS")) {
            throw new ConfigException("oidc.allowed_algorithms must not contain " + a + ": HMAC keys are secrets, and"
                    + " with a public JWKS anyone could sign tokens; use RS256, PS256 or ES256");
        }
        if (!SUPPORTED_ALGORITHMS.contains(a)) {
            throw new ConfigException("oidc.allowed_algorithms: unknown algorithm '" + abbreviate(a) + "'; use some of "
                    + String.join(", ", SUPPORTED_ALGORITHMS.stream().sorted().toList()));
        }
    }

    private static void claimName(String key, String name) {
        if (!CLAIM_NAME.matcher(name).matches()) {
            throw new ConfigException(key + " must be a claim name (printable, no spaces, at most 128 characters),"
                    + " got '" + abbreviate(name) + "'");
        }
    }

    /** Reads the {@code oidc:} section; empty when it is absent. */
    static Optional<OidcConfig> parse(ConfigTree oidc) {
        Map<String, Object> raw = oidc.asMap(new ObjectMapper());
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        oidc.checkKnown(KEYS);
        String issuer = oidc.string("issuer").orElseThrow(() -> new ConfigException("oidc.issuer is required when the"
                + " oidc section is present, e.g. https://login.example.com/realms/staff"));
        String audience = oidc.string("audience").orElseThrow(() -> new ConfigException("oidc.audience is required"
                + " when the oidc section is present: the client ID or API identifier the tokens carry in aud"));
        Optional<URI> jwksUri = oidc.string("jwks_uri").map(u -> secureUrl("oidc.jwks_uri", u));
        Map<Role, Set<String>> roleGroups = roleGroups(raw.get("role_groups"));
        Set<String> algorithms = new LinkedHashSet<>(stringList("oidc.allowed_algorithms",
                raw.getOrDefault("allowed_algorithms", DEFAULT_ALGORITHMS)));
        Duration skew = oidc.string("clock_skew")
                .map(s -> s.equals("0") ? Duration.ZERO : ConfigTree.parseDuration("oidc.clock_skew", s))
                .orElse(Duration.ofSeconds(60));
        // "login:" with no value is the sign-in with every default, like "login: {}"
        Optional<OidcLoginConfig> login = raw.containsKey("login")
                ? Optional.of(OidcLoginConfig.parse(oidc.section("login"), audience)) : Optional.empty();
        return Optional.of(new OidcConfig(issuer, audience, jwksUri,
                oidc.string("username_claim").orElse("preferred_username"), oidc.string("groups_claim").orElse("groups"),
                roleGroups, algorithms, skew, oidc.duration("jwks_cache_ttl").orElse(Duration.ofMinutes(5)),
                oidc.duration("jwks_refresh_min_interval").orElse(Duration.ofSeconds(30)), login));
    }

    private static Map<Role, Set<String>> roleGroups(Object raw) {
        Map<Role, Set<String>> out = new EnumMap<>(Role.class);
        if (raw == null) {
            return out;
        }
        if (!(raw instanceof Map<?, ?> m)) {
            throw new ConfigException("oidc.role_groups must be a mapping of role to groups, e.g."
                    + " {admin: [keyward-admins], engineer: [engineering]}");
        }
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = "oidc.role_groups." + e.getKey();
            Role role;
            try {
                role = Role.parse(String.valueOf(e.getKey()));
            } catch (InvalidInputException ex) {
                throw new ConfigException(key + ": unknown role; use admin, engineer or auditor");
            }
            out.put(role, new LinkedHashSet<>(stringList(key, e.getValue())));
        }
        return out;
    }

    private static List<String> stringList(String key, Object raw) {
        List<?> list = raw instanceof List<?> l ? l : raw instanceof String s ? List.of(s) : null;
        if (list == null) {
            throw new ConfigException(key + " must be a list of strings, e.g. [a, b]");
        }
        for (Object o : list) {
            if (!(o instanceof String s) || s.isBlank()) {
                throw new ConfigException(key + " must be a list of non-empty strings, got '" + abbreviate(String.valueOf(o))
                        + "'");
            }
        }
        return list.stream().map(o -> ((String) o).strip()).toList();
    }

    private static String abbreviate(String s) {
        String p = s.replaceAll("\\p{Cntrl}", "?");
        return p.length() > 80 ? p.substring(0, 80) + "..." : p;
    }
}
