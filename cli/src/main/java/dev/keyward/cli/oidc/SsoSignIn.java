package dev.keyward.cli.oidc;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.cli.config.CliEnv;
import dev.keyward.cli.config.Credential;
import dev.keyward.cli.server.KeywardClient;
import dev.keyward.cli.server.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code keyward login} without an API token: reads the server's {@link LoginOffer}, then renews the saved sign-in
 * with its refresh token when there is one (no browser), else signs in with the browser ({@link BrowserFlow}) or,
 * with {@code --device} or no display, the device grant ({@link DeviceFlow}). {@code --renew} never signs in
 * interactively: without a usable saved sign-in it says that a browser sign-in is needed. The ID token, when the
 * provider sends one, is verified ({@link IdTokens}); its nonce is checked in the browser flow (the device grant
 * has none). A refresh token from an interactive sign-in is saved only once the certificate is issued
 * ({@link SignedIn#keep}), so a sign-in as someone the server refuses is not reused; one rotated by a renewal is
 * saved at once, since the provider has invalidated the old one.
 */
public final class SsoSignIn {
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration REVOKE_TIMEOUT = Duration.ofSeconds(10);

    private final CliEnv env;
    private final PrintWriter out;
    private final IdpHttp http;
    private final DeviceFlow.Sleeper sleeper;

    SsoSignIn(CliEnv env, PrintWriter out, IdpHttp http, DeviceFlow.Sleeper sleeper) {
        this.env = env;
        this.out = out;
        this.http = http;
        this.sleeper = sleeper;
    }

    /** The credential for Keyward and what to keep once it has served. */
    public static final class SignedIn {
        private interface Keep {
            void run() throws IOException;
        }

        private final Credential credential;
        private final Keep keep;

        private SignedIn(Credential credential, Keep keep) {
            this.credential = credential;
            this.keep = keep;
        }

        /** An API token: nothing to keep. */
        public static SignedIn apiToken(Credential c) {
            return new SignedIn(c, () -> { });
        }

        public Credential credential() {
            return credential;
        }

        /** Saves the refresh token of an interactive sign-in (call after the certificate is issued). */
        public void keep() throws IOException {
            keep.run();
        }
    }

    /**
     * Signs in for {@code server} as its {@code GET /api/v1/login/config} says; {@code renew}: only with the saved
     * refresh token; {@code device}: the device grant even where a browser could open.
     */
    public static SignedIn signIn(KeywardClient client, URI server, CliEnv env, PrintWriter out, boolean renew,
            boolean device) {
        Optional<LoginOffer> offer = client.loginConfig().flatMap(LoginOffer::parse);
        if (offer.isEmpty()) {
            throw new InvalidInputException(renew
                    ? "nothing to renew with: no API token (--token-file, token_file, KEYWARD_TOKEN), and the server"
                            + " at " + server + " offers no SSO sign-in"
                    : "no token: pass --token-file FILE (mode 0600) or set KEYWARD_TOKEN (the server at " + server
                            + " offers no SSO sign-in)");
        }
        SsoSignIn sso = new SsoSignIn(env, out, new IdpHttp(HTTP_TIMEOUT), Thread::sleep);
        return sso.signIn(server, offer.get(), renew, device);
    }

    SignedIn signIn(URI server, LoginOffer offer, boolean renew, boolean device) {
        SavedSignIns saved = SavedSignIns.load(env.configDir(), true);
        Optional<SavedSignIns.Saved> previous = saved.get(server)
                .filter(s -> s.issuer().equals(offer.issuer()) && s.clientId().equals(offer.clientId()));
        if (previous.isEmpty() && renew) {
            throw new SignInException("a browser sign-in is needed: no sign-in is saved for " + server + " (and no"
                    + " API token is set); run keyward login");
        }
        // before the provider is contacted: a flow the server does not offer is the engineer's to fix
        Optional<LoginOffer.Flow> interactive = renew ? Optional.empty() : Optional.of(chooseFlow(offer, device, env));
        Provider provider = Provider.discover(http, offer.issuer());
        if (previous.isPresent()) {
            Optional<SignedIn> renewed = renew(server, offer, provider, saved, previous.get(), renew);
            if (renewed.isPresent()) {
                return renewed.get();
            }
        }
        LoginOffer.Flow flow = interactive.orElseThrow(); // --renew has returned or thrown in renew()
        Tokens tokens;
        Optional<String> nonce;
        if (flow == LoginOffer.Flow.BROWSER) {
            BrowserFlow.Result r = BrowserFlow.run(http, provider, offer, env, out);
            tokens = r.tokens();
            nonce = Optional.of(r.nonce());
            if (tokens.idToken().isEmpty()) {
                throw new SignInException("the identity provider returned no ID token (is openid among the server's"
                        + " oidc.login.scopes?)");
            }
        } else {
            tokens = new DeviceFlow(http, sleeper).run(provider, offer, out);
            nonce = Optional.empty();
        }
        Optional<IdTokens.Identity> who = tokens.idToken().map(t -> IdTokens.verify(t, provider, http,
                offer.clientId(), nonce, Optional.empty(), env.clock().instant()));
        out.println("Signed in at " + offer.issuer() + who.map(w -> " as "
                + Printable.clean(w.username().orElse(w.subject()), 200)).orElse(""));
        String subject = who.map(IdTokens.Identity::subject).orElse("");
        return new SignedIn(bearer(offer, tokens), () -> {
            if (tokens.refreshToken().isPresent()) {
                saved.put(server, new SavedSignIns.Saved(offer.issuer(), offer.clientId(), tokens.refreshToken().get(),
                        subject, env.clock().instant()));
            }
        });
    }

    /** The refresh grant (RFC 6749 section 6); empty when the provider refused it and a new sign-in may follow. */
    private Optional<SignedIn> renew(URI server, LoginOffer offer, Provider provider, SavedSignIns saved,
            SavedSignIns.Saved previous, boolean renewOnly) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", previous.refreshToken());
        form.put("client_id", offer.clientId());
        clientAuth(offer, form);
        IdpHttp.Answer a = http.postForm(provider.tokenEndpoint(), form, "renewing the sign-in");
        try {
            if (!a.ok()) {
                OAuthError e = OAuthError.in(a, "renewing the sign-in");
                saved.remove(server); // refused for good (invalid_grant: the session ended or was revoked)
                String ended = "sign-in at " + offer.issuer() + " has ended (" + e + ")";
                if (renewOnly) {
                    throw new SignInException("your " + ended + "; a browser sign-in is needed: run keyward login");
                }
                out.println("Your " + ended + "; signing in again.");
                return Optional.empty();
            }
            Tokens tokens = Tokens.from(a, "renewing the sign-in", e -> new SignInException(e.toString()));
            Optional<String> sameUser = previous.subject().isEmpty() ? Optional.empty() : Optional.of(previous.subject());
            tokens.idToken().ifPresent(t -> IdTokens.verify(t, provider, http, offer.clientId(), Optional.empty(),
                    sameUser, env.clock().instant()));
            // a provider that rotates refresh tokens has invalidated the old one: save the new one at once
            saved.put(server, new SavedSignIns.Saved(offer.issuer(), offer.clientId(),
                    tokens.refreshToken().orElse(previous.refreshToken()), previous.subject(), env.clock().instant()));
            out.println("Renewed the sign-in at " + offer.issuer() + " without a browser");
            return Optional.of(new SignedIn(bearer(offer, tokens), () -> { }));
        } catch (IOException e) {
            throw new InvalidInputException("cannot write " + saved.file() + ": " + e.getMessage());
        }
    }

    static LoginOffer.Flow chooseFlow(LoginOffer offer, boolean device, CliEnv env) {
        if (device) {
            if (!offer.flows().contains(LoginOffer.Flow.DEVICE)) {
                throw new SignInException("the server does not offer the device sign-in (oidc.login.flows); run"
                        + " keyward login without --device where a browser can open");
            }
            return LoginOffer.Flow.DEVICE;
        }
        if (!offer.flows().contains(LoginOffer.Flow.BROWSER)) {
            return LoginOffer.Flow.DEVICE;
        }
        if (!offer.flows().contains(LoginOffer.Flow.DEVICE)) {
            return LoginOffer.Flow.BROWSER; // without a display the URL is printed: open it on this machine
        }
        return BrowserOpener.hasDisplay(env) ? LoginOffer.Flow.BROWSER : LoginOffer.Flow.DEVICE;
    }

    private static Credential bearer(LoginOffer offer, Tokens tokens) {
        if (!offer.sendIdToken()) {
            return Credential.ofSignIn(tokens.accessToken());
        }
        return Credential.ofSignIn(tokens.idToken().orElseThrow(() -> new SignInException("the identity provider"
                + " returned no ID token, which this server takes as the credential (oidc.login.bearer_token)")));
    }

    /** A public client authenticates with its client_id alone; some providers hand out a non-secret secret too. */
    static void clientAuth(LoginOffer offer, Map<String, String> form) {
        offer.clientSecret().ifPresent(s -> form.put("client_secret", s));
    }

    /**
     * {@code keyward logout}: forgets every saved sign-in (the file goes) and revokes each refresh token at its
     * provider when it offers revocation (RFC 7009), best effort: a provider that cannot be reached only gets a note.
     */
    public static void forgetAll(CliEnv env, PrintWriter out) throws IOException {
        IdpHttp http = new IdpHttp(REVOKE_TIMEOUT);
        for (SavedSignIns.Saved s : SavedSignIns.takeAll(env.configDir())) {
            out.println("Forgot the sign-in at " + s.issuer() + " (" + revoke(http, s) + ")");
        }
    }

    private static String revoke(IdpHttp http, SavedSignIns.Saved s) {
        try {
            Provider p = Provider.discover(http, s.issuer());
            if (p.revocationEndpoint().isEmpty()) {
                return "the provider offers no revocation; the refresh token ends with its session there";
            }
            Map<String, String> form = new LinkedHashMap<>();
            form.put("token", s.refreshToken());
            form.put("token_type_hint", "refresh_token");
            form.put("client_id", s.clientId());
            IdpHttp.Answer a = http.postForm(p.revocationEndpoint().get(), form, "revoking the refresh token");
            return a.ok() ? "refresh token revoked" : "the provider refused to revoke the refresh token (HTTP "
                    + a.status() + "); it ends with its session there";
        } catch (InvalidInputException e) {
            return "not revoked: " + e.getMessage();
        }
    }
}
