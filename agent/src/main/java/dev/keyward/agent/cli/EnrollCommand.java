package dev.keyward.agent.cli;

import dev.keyward.agent.client.AgentClient;
import dev.keyward.agent.config.ConfigException;
import dev.keyward.agent.credential.CredentialInfo;
import dev.keyward.agent.cycle.StatusStore;
import dev.keyward.agent.fs.ChangeSink;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.protocol.EnrollRequest;
import dev.keyward.agent.protocol.EnrollResponse;
import dev.keyward.agent.trust.HostCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code keyward-agent enroll --server URL --join-token-file F}: trades the one-time join token for a host
 * credential (stored 0600 in {@code credential_file}) and host certificates (installed next to the host keys).
 * The token is read from a file, never from the command line (where {@code ps} would show it).
 */
final class EnrollCommand implements AgentCommand {
    private CommonOptions common;
    private String hostname;

    @Override
    public String name() {
        return "enroll";
    }

    @Override
    public String description() {
        return "Enroll this host with the Keyward server using a one-time join token.";
    }

    @Override
    public void options(Options o) {
        o.addOption(Option.builder().longOpt("join-token-file").hasArg().argName("FILE")
                .desc("(required) file holding the join token an admin got from POST /api/v1/hosts").get());
        o.addOption(Option.builder().longOpt("hostname").hasArg().argName("NAME")
                .desc("name to report (default: this host's name)").get());
    }

    @Override
    public int run(CommandLine line) throws Exception {
        AgentCommand.noOperands(line);
        common = CommonOptions.from(line);
        hostname = line.getOptionValue("hostname");
        if (!line.hasOption("join-token-file")) {
            throw new UsageException("--join-token-file FILE is required (the token is never taken from the"
                    + " command line, where ps would show it)");
        }
        Path tokenFile = Path.of(line.getOptionValue("join-token-file"));
        var config = common.config();
        if (config.server().isEmpty()) {
            throw new ConfigException("enroll needs --server URL (or 'server' in agent.conf)");
        }
        var paths = common.paths();
        String token = Files.readString(tokenFile).strip();
        if (token.isEmpty()) {
            throw new ConfigException(tokenFile + " is empty");
        }
        try (SafeFiles files = new SafeFiles(paths, common.dryRun, new ChangeSink(System.out, common.dryRun))) {
            return enroll(config, paths, token, files);
        }
    }

    private int enroll(dev.keyward.agent.config.AgentConfig config, dev.keyward.agent.config.AgentPaths paths,
            String token, SafeFiles files) throws Exception {
        HostCerts certs = new HostCerts(files, config.hostKeysGlob());
        List<HostCerts.HostKey> keys = certs.hostKeys();
        if (keys.isEmpty()) {
            throw new ConfigException("no host public keys match " + config.hostKeysGlob() + " under " + paths.root());
        }
        String name = hostname != null ? hostname : localHostname(paths);
        if (common.dryRun) {
            System.out.println("# would enroll " + name + " with " + keys.size() + " host keys at " + config.server());
            return 0;
        }
        AgentClient client = new AgentClient(config.serverUri(), null, config.httpTimeout());
        EnrollResponse r = client.enroll(new EnrollRequest(token, name,
                keys.stream().map(HostCerts.HostKey::line).toList()));
        if (r.credential() == null || r.credential().isBlank() || r.credential().contains("\n")) {
            throw new ConfigException("the server's enrollment answer has no usable credential");
        }
        StatusStore store = new StatusStore(paths, config);
        store.saveCredential(r.credential());
        // the lifetime as the server stated it; unknown (asked at the next cycle) from a server that did not say
        CredentialInfo credential = CredentialInfo.issued(r.credentialIssuedAt(), r.credentialExpiresAt());
        store.saveCredentialInfo(credential);
        store.save(store.load().withEnrollment(config.serverUri().toString(), r.hostId()));
        List<String> written = certs.install(r.hostCerts(), keys, Clock.systemUTC().instant());
        System.out.println("enrolled as host " + r.hostId() + "; credential stored in " + config.credentialFile()
                + (credential.known() ? " (expires at " + credential.expiresAt() + "; renewed from "
                        + credential.renewAt().orElseThrow() + ")" : "")
                + "; " + written.size() + " host certificates installed");
        if (!written.isEmpty()) {
            System.out.println("reload sshd (or run 'keyward-agent once' with manage_sshd_config = true) to serve them");
        }
        return 0;
    }

    private static String localHostname(dev.keyward.agent.config.AgentPaths paths) {
        try {
            Path f = paths.resolve("/etc/hostname");
            if (Files.isRegularFile(f)) {
                String h = Files.readString(f).strip();
                if (!h.isEmpty()) {
                    return h;
                }
            }
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
