package dev.keyward.web.config;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code oidc.login}: how {@code keyward login} signs engineers in at the issuer, published unauthenticated by
 * {@code GET /api/v1/login/config}. Keyward is registered at the issuer as a public client (RFC 6749 section
 * 2.1): the CLI runs on the engineer's machine and can keep no secret, so it uses PKCE (RFC 7636) and a loopback
 * redirect (RFC 8252 section 7.3) or the device grant (RFC 8628).
 *
 * @param clientId     {@code oidc.login.client_id} (default {@code oidc.audience}): the client ID of that
 *                     registration
 * @param clientSecret {@code oidc.login.client_secret}: only for issuers that hand installed applications a
 *                     "secret" and demand it back (Google); it is published to every client, so it must not be a real
 *                     confidential client's secret
 * @param scopes       {@code oidc.login.scopes} (default {@code [openid, profile]}); must contain {@code openid}
 * @param flows        {@code oidc.login.flows} (default both): {@code browser} (authorization code + PKCE on a
 *                     loopback redirect) and/or {@code device} (device authorization grant)
 * @param bearerToken  {@code oidc.login.bearer_token} (default {@code access_token}): which of the issuer's tokens
 *                     the CLI sends to Keyward; {@code id_token} for issuers whose access tokens are not JWTs for
 *                     Keyward (Google), which needs {@code oidc.audience} equal to the client ID
 */
public record OidcLoginConfig(String clientId, Optional<String> clientSecret, List<String> scopes, Set<Flow> flows,
        BearerToken bearerToken) {

    static final Set<String> KEYS = Set.of("client_id", "client_secret", "scopes", "flows", "bearer_token");
    public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile");
    /** RFC 6749 appendix A.1 (client_id, client_secret): visible ASCII and space; we also refuse spaces. */
    private static final Pattern VSCHAR = Pattern.compile("[\\x21-\\x7e]{1,255}");
    /** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
    private static final Pattern SCOPE_TOKEN = Pattern.compile("[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,255}");

    /** The sign-in flows the CLI may use. */
    public enum Flow {
        BROWSER, DEVICE;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which token the CLI forwards to Keyward as its bearer credential. */
    public enum BearerToken {
        ACCESS_TOKEN, ID_TOKEN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public OidcLoginConfig {
        Objects.requireNonNull(clientId);
        Objects.requireNonNull(clientSecret);
        Objects.requireNonNull(bearerToken);
        if (!VSCHAR.matcher(clientId).matches()) {
            throw new ConfigException("oidc.login.client_id must be the client ID Keyward is registered under at the"
                    + " issuer (visible ASCII, no spaces, at most 255 characters)");
        }
        clientSecret.ifPresent(s -> {
            if (!VSCHAR.matcher(s).matches()) {
                throw new ConfigException("oidc.login.client_secret must be visible ASCII without spaces, at most 255"
                        + " characters");
            }
        });
        for (String s : scopes) {
            if (!SCOPE_TOKEN.matcher(s).matches()) {
                throw new ConfigException("oidc.login.scopes: '" + s.replaceAll("\\p{Cntrl}", "?") + "' is not a scope"
                        + " (RFC 6749 section 3.3: visible ASCII without spaces, quotes or backslashes)");
            }
        }
        if (!scopes.contains("openid")) {
            throw new ConfigException("oidc.login.scopes must contain openid (the CLI signs in with OpenID Connect),"
                    + " e.g. [openid, profile]");
        }
        scopes = List.copyOf(new java.util.LinkedHashSet<>(scopes));
        if (flows.isEmpty()) {
            throw new ConfigException("oidc.login.flows is empty; use [browser, device], [browser] or [device]");
        }
        flows = Set.copyOf(flows);
    }

    /** Reads {@code oidc.login}; {@code audience} is {@code oidc.audience} (the default client ID). */
    static OidcLoginConfig parse(ConfigTree login, String audience) {
        login.checkKnown(KEYS);
        List<String> scopes = login.strings("scopes");
        Set<Flow> flows = EnumSet.noneOf(Flow.class);
        List<String> flowNames = new ArrayList<>(login.strings("flows"));
        if (flowNames.isEmpty() && !login.has("flows")) {
            flowNames = List.of("browser", "device");
        }
        for (String f : flowNames) {
            flows.add(parseEnum(Flow.class, "oidc.login.flows", f, "browser, device"));
        }
        BearerToken bearer = login.string("bearer_token")
                .map(b -> parseEnum(BearerToken.class, "oidc.login.bearer_token", b, "access_token, id_token"))
                .orElse(BearerToken.ACCESS_TOKEN);
        OidcLoginConfig c = new OidcLoginConfig(login.string("client_id").orElse(audience),
                login.string("client_secret"), scopes.isEmpty() && !login.has("scopes") ? DEFAULT_SCOPES : scopes,
                flows, bearer);
        if (bearer == BearerToken.ID_TOKEN && !c.clientId().equals(audience)) {
            throw new ConfigException("oidc.login.bearer_token is id_token, so oidc.audience must be the client ID"
                    + " (an ID token's aud is the client it was issued to): oidc.audience is '" + audience
                    + "', oidc.login.client_id is '" + c.clientId() + "'");
        }
        return c;
    }

    private static <E extends Enum<E>> E parseEnum(Class<E> type, String key, String value, String known) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + ": unknown value '" + value.replaceAll("\\p{Cntrl}", "?") + "'; use "
                    + known);
        }
    }
}
