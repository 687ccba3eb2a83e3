package dev.keyward.cli.oidc;

import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.cli.server.Printable;
import dev.keyward.cli.server.ServerException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code oidc} member of the Keyward server's {@code GET /api/v1/login/config}: where and how to sign in. A
 * document without it means the server offers no sign-in. Flows this CLI does not know are ignored (a newer
 * server may offer more); anything else malformed is refused with the field's name.
 *
 * @param sendIdToken whether the ID token, rather than the access token, is the bearer credential for Keyward
 */
public record LoginOffer(String issuer, String clientId, Optional<String> clientSecret, List<String> scopes,
        Set<Flow> flows, boolean sendIdToken) {

    /** The sign-in flows this CLI knows. */
    public enum Flow {
        BROWSER, DEVICE
    }

    /** RFC 6749 appendix A.1 and A.4; no spaces. */
    private static final Pattern VSCHAR = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Pattern SCOPE = Pattern.compile("[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,255}");

    /** The offer in the document; empty when the server offers no sign-in. */
    public static Optional<LoginOffer> parse(byte[] document) {
        try {
            Object oidc = Json.parseObject(document).get("oidc");
            if (oidc == null) {
                return Optional.empty();
            }
            return Optional.of(Json.read(document, o -> o.object("oidc", LoginOffer::read)));
        } catch (JsonException e) {
            throw invalid(e.getMessage());
        }
    }

    private static LoginOffer read(JsonObject o) throws JsonException {
        String issuer = required(o, "issuer");
        try {
            IdpHttp.endpoint("oidc.issuer", issuer); // https (or loopback http) before anything is sent there
        } catch (SignInException e) {
            throw invalid(e.getMessage());
        }
        String clientId = required(o, "client_id");
        if (!VSCHAR.matcher(clientId).matches()) {
            throw invalid("oidc.client_id is not a client ID (visible ASCII, at most 255 characters)");
        }
        Optional<String> secret = Optional.ofNullable(o.string("client_secret"));
        if (secret.isPresent() && !VSCHAR.matcher(secret.get()).matches()) {
            throw invalid("oidc.client_secret is not visible ASCII");
        }
        List<String> scopes = o.strings("scopes");
        if (scopes == null || !scopes.contains("openid")) {
            throw invalid("oidc.scopes must list openid");
        }
        for (String s : scopes) {
            if (s == null || !SCOPE.matcher(s).matches()) {
                throw invalid("oidc.scopes has an entry that is not a scope");
            }
        }
        List<String> flowNames = o.strings("flows");
        Set<Flow> flows = EnumSet.noneOf(Flow.class);
        for (String f : flowNames == null ? List.<String>of() : flowNames) {
            if ("browser".equals(f)) {
                flows.add(Flow.BROWSER);
            } else if ("device".equals(f)) {
                flows.add(Flow.DEVICE);
            }
        }
        if (flows.isEmpty()) {
            throw invalid("oidc.flows names no flow this keyward knows (browser, device)");
        }
        String bearer = o.string("bearer_token");
        if (bearer != null && !bearer.equals("access_token") && !bearer.equals("id_token")) {
            throw invalid("oidc.bearer_token is '" + Printable.clean(bearer, 40) + "', not access_token or id_token");
        }
        return new LoginOffer(issuer, clientId, secret, List.copyOf(new ArrayList<>(scopes)), Set.copyOf(flows),
                "id_token".equals(bearer));
    }

    private static String required(JsonObject o, String name) throws JsonException {
        String v = o.string(name);
        if (v == null || v.isBlank()) {
            throw invalid("oidc." + name + " is missing");
        }
        return v;
    }

    private static ServerException invalid(String why) {
        return new ServerException("the server's sign-in configuration (GET /api/v1/login/config) is not valid: "
                + Printable.clean(why, 300) + "; tell your Keyward admins (oidc.login in keyward.yaml)");
    }

    /** Never the client secret. */
    @Override
    public String toString() {
        return "LoginOffer[issuer=" + issuer + ", clientId=" + clientId + ", scopes=" + scopes + ", flows=" + flows
                + ", sendIdToken=" + sendIdToken + "]";
    }
}
