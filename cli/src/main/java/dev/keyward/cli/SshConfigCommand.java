package dev.keyward.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.cert.CaPins;
import dev.keyward.cli.config.CliConfig;
import dev.keyward.cli.config.CliEnv;
import dev.keyward.cli.config.ServerUrl;
import dev.keyward.cli.server.KeywardClient;
import dev.keyward.cli.sshconfig.HostPatterns;
import dev.keyward.cli.sshconfig.SshConfigInstaller;
import dev.keyward.cli.sshconfig.SshSetup;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code keyward ssh-config [--install]}: fetches the host CA keys ({@code GET /api/v1/ca/host}), checks them against
 * those pinned for the server ({@link CaPins#requireAllPinned}; trust on first use, like the user CA keys), and
 * prints, or with {@code --install} writes ({@link SshConfigInstaller}), the known_hosts file, the {@code Host} block
 * and the {@code Include} line that make plain ssh verify the named hosts by certificate and offer the login key's
 * certificate ({@link SshSetup}). Printing writes nothing, not even pins.
 */
@Command(name = "ssh-config", mixinStandardHelpOptions = true, description = "Print, or with --install write, the"
        + " ssh configuration that verifies hosts by Keyward's host CA and offers your certificate to them.")
final class SshConfigCommand implements Callable<Integer> {
    @ParentCommand
    KeywardCli root;

    @Mixin
    KeyOptions keyOptions;

    @Option(names = "--install", description = "Write ~/.ssh/keyward/known_hosts, ~/.ssh/keyward/config and the"
            + " Include line at the top of ~/.ssh/config (backups of files that change; a second run changes nothing).")
    boolean install;

    @Option(names = "--hosts", paramLabel = "PATTERNS", description = "The hosts to set up, as ssh patterns separated"
            + " by commas, e.g. '*.example.com,10.1.*' (default: config 'hosts').")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--server", paramLabel = "URL", description = "Keyward server, https://... (default: config"
            + " 'server').")
    String server;

    @Option(names = "--insecure-http", description = "Allow plain http:// to a non-loopback server (the host CA keys"
            + " cross the network unprotected).")
    boolean insecureHttp;

    @Option(names = "--accept-new-ca", description = "Trust the host CA keys the server publishes now, replacing those"
            + " pinned before (after a host CA rotation; check the fingerprints with your admins).")
    boolean acceptNewCa;

    @Override
    public Integer call() throws IOException {
        CliEnv env = root.env;
        PrintWriter out = root.spec.commandLine().getOut();
        CliConfig cfg = keyOptions.load(env);
        URI base = ServerUrl.resolve(Optional.ofNullable(server), cfg, env, insecureHttp);
        HostPatterns patterns = !hosts.isEmpty() ? HostPatterns.parse(hosts, "--hosts")
                : HostPatterns.parse(List.of(cfg.hosts().orElseThrow(() -> new InvalidInputException("no hosts: pass"
                        + " --hosts '*.example.com' (ssh patterns, comma-separated) or put 'hosts = *.example.com' in "
                        + env.configDir().resolve("config")))), "'hosts' in the config");

        List<SshPublicKey> listed = new KeywardClient(base, LoginCommand.HTTP_TIMEOUT).hostCaKeys();
        CaPins pins = CaPins.loadHost(env.configDir());
        List<SshPublicKey> pinned = acceptNewCa ? List.of() : pins.pinned(base);
        CaPins.requireAllPinned(base, listed, pinned);
        SshSetup setup = new SshSetup(env.home(), base, patterns, StatusCommand.resolveKey(keyOptions, env), listed);

        if (!install) {
            out.println("# " + setup.knownHostsFile());
            out.print(setup.knownHosts());
            out.println("# " + setup.blockFile());
            out.print(setup.block());
            out.println("# the first line of " + setup.userConfig());
            out.println(SshSetup.includeLine());
            out.println("# " + (pinned.isEmpty() ? "host CA keys not pinned yet (--install pins them): "
                    : "host CA keys pinned for this server: ") + CaPins.fingerprints(listed));
            out.println("# keyward ssh-config --install writes these files");
            return 0;
        }
        if (pinned.isEmpty()) {
            pins.pin(base, listed);
            out.println("Pinned the host CA keys of " + base + " in " + pins.file() + ": "
                    + CaPins.fingerprints(listed));
        }
        SshConfigInstaller.install(setup, env.clock().instant()).forEach(out::println);
        return 0;
    }
}
