package dev.keyward.cli;

import dev.keyward.ca.Durations;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.Certificate;
import dev.keyward.ca.cert.SignedCertificate;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.cert.CaPins;
import dev.keyward.cli.cert.CertFiles;
import dev.keyward.cli.cert.CertVerifier;
import dev.keyward.cli.config.CliConfig;
import dev.keyward.cli.config.CliEnv;
import dev.keyward.cli.config.Credential;
import dev.keyward.cli.config.ServerUrl;
import dev.keyward.cli.oidc.SsoSignIn;
import dev.keyward.cli.server.KeywardClient;
import dev.keyward.cli.ssh.LoginKey;
import dev.keyward.cli.ssh.SshAgent;
import dev.keyward.cli.ssh.UserKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code keyward login}: fetches the server's user CA keys and, when keys are pinned for it, goes on only if it
 * publishes one of them ({@link CaPins#requirePinnedPublished}); takes the API token, or else signs in at the
 * server's identity provider ({@link SsoSignIn}); asks for a user certificate for our public key, checks it
 * ({@link CertVerifier}), writes {@code KEY-cert.pub} atomically and loads key + certificate into ssh-agent until the
 * certificate expires ({@link KeyLoader}). With no key of the engineer's, the key is a new one for Keyward alone
 * ({@link UserKeys#forLogin}), kept only in ssh-agent unless {@code --write-key}. Nothing is written unless every
 * check passed.
 */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = "Get a certificate for your SSH key and load it into ssh-agent.")
final class LoginCommand implements Callable<Integer> {
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    @ParentCommand
    KeywardCli root;

    @Mixin
    KeyOptions keyOptions;

    @Option(names = "--server", paramLabel = "URL", description = "Keyward server, https://... (default: config"
            + " 'server').")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", description = "File holding an API token (mode 0600;"
            + " default: config 'token_file', else the KEYWARD_TOKEN environment variable). Without one, you sign in"
            + " at the server's identity provider.")
    Path tokenFile;

    @Option(names = "--device", description = "Sign in with a code to enter in a browser on any device (the device"
            + " grant; the default where no browser can open: no DISPLAY, or an SSH session).")
    boolean device;

    @Option(names = "--renew", description = "Renew without any interaction: with the API token, else with the"
            + " saved sign-in; exit 1, saying so, when a browser sign-in is needed.")
    boolean renew;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "Requested lifetime, e.g. 8h, 30m, 1h30m"
            + " (default: the server's policy default).")
    String ttl;

    // No picocli split: it treats double quotes as quoting (a"b,c"d stays one value, a"b warns); split on commas only.
    @Option(names = "--principals", paramLabel = "a,b", description = "Requested principals, comma-separated"
            + " (default: the server's policy default, usually your username).")
    List<String> principals = new ArrayList<>();

    @Option(names = "--no-agent", description = "Do not load the key and certificate into ssh-agent.")
    boolean noAgent;

    @Option(names = "--write-key", description = "When login makes a key for Keyward (no --key, no ~/.ssh/id_*),"
            + " write it to ~/.ssh/keyward_ed25519 (0600) instead of keeping it only in ssh-agent.")
    boolean writeKey;

    @Option(names = "--insecure-http", description = "Allow plain http:// to a non-loopback server (the token"
            + " crosses the network readable).")
    boolean insecureHttp;

    @Option(names = "--accept-new-ca", description = "Trust the user CA keys the server publishes now, replacing"
            + " those pinned at your first login (after a CA rotation; check the fingerprints with your admins).")
    boolean acceptNewCa;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (renew && device) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--renew never signs in interactively;"
                    + " leave out --device");
        }
        CliEnv env = root.env;
        PrintWriter out = root.spec.commandLine().getOut();
        CliConfig cfg = keyOptions.load(env);
        URI base = ServerUrl.resolve(Optional.ofNullable(server), cfg, env, insecureHttp);
        Optional<String> requestedTtl = Optional.ofNullable(ttl).map(LoginCommand::checkTtl);
        List<String> requestedPrincipals = checkPrincipals(principals);
        Optional<Credential> apiToken = Credential.find(Optional.ofNullable(tokenFile).or(cfg::tokenFile), env);
        Optional<SshAgent> agent = noAgent ? Optional.empty() : SshAgent.of(env);
        LoginKey key = UserKeys.forLogin(env, keyOptions.explicitKey(env, cfg), writeKey, agent, out);
        SshPublicKey publicKey = key.publicKey();

        KeywardClient client = new KeywardClient(base, HTTP_TIMEOUT);
        List<SshPublicKey> listed = client.userCaKeys();
        CaPins pins = CaPins.load(env.configDir());
        List<SshPublicKey> pinned = acceptNewCa ? List.of() : pins.pinned(base);
        CaPins.requirePinnedPublished(base, listed, pinned);
        SsoSignIn.SignedIn signedIn = apiToken.map(SsoSignIn.SignedIn::apiToken)
                .orElseGet(() -> SsoSignIn.signIn(client, base, env, out, renew, device));
        try (KeyLoader loader = KeyLoader.prepare(key, agent)) {
            String line = client.issueUserCert(signedIn.credential(), publicKey, requestedTtl, requestedPrincipals)
                    .certificateLine();
            Instant now = env.clock().instant();
            SignedCertificate cert = CertVerifier.verify(line, publicKey, listed, pinned, now);

            if (pinned.isEmpty()) {
                pins.pin(base, listed);
                out.println("Pinned the user CA keys of " + base + " in " + pins.file() + ": "
                        + CaPins.fingerprints(listed));
            }
            loader.write(cert);
            signedIn.keep();
            Certificate c = cert.certificate();
            out.println("Certificate " + CertFiles.certPath(key.path()));
            out.println("  serial:      " + Long.toUnsignedString(c.serial()));
            out.println("  principals:  " + StatusCommand.principals(c));
            out.println("  valid until: " + c.validBeforeInstant() + " ("
                    + Durations.format(Duration.between(now, c.validBeforeInstant())) + ")");
            loader.load(cert, Duration.between(now, c.validBeforeInstant()), out, root.spec.commandLine().getErr());
        }
        return 0;
    }

    static String checkTtl(String t) {
        Optional<Duration> d = Durations.parse(t);
        if (d.isEmpty() || d.get().isZero()) {
            throw new InvalidInputException("--ttl '" + t + "' is not a duration like 8h, 30m or 1h30m");
        }
        return t;
    }

    static List<String> checkPrincipals(List<String> given) {
        List<String> out = new ArrayList<>();
        for (String p : given.stream().flatMap(g -> Arrays.stream(g.split(",", -1))).toList()) {
            String s = p.strip();
            if (s.isEmpty()) {
                throw new InvalidInputException("--principals has an empty name (use a,b without spaces or empty"
                        + " entries)");
            }
            if (s.length() > Certificate.MAX_PRINCIPAL_LENGTH || !s.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
                throw new InvalidInputException("--principals '" + s + "' is not a user name (visible ASCII, at most "
                        + Certificate.MAX_PRINCIPAL_LENGTH + " characters)");
            }
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
