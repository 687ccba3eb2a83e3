package dev.keyward.agent.trust;

import dev.keyward.agent.config.AgentConfig;
import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.fs.FileSpec;
import dev.keyward.agent.fs.SafeFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * sshd's side: the optional drop-in {@code /etc/ssh/sshd_config.d/50-keyward.conf}, {@code sshd -t} on the main
 * config, and the reload command. A drop-in that makes {@code sshd -t} fail is put back as it was and sshd is
 * not reloaded: a reload with a broken config would stop sshd from accepting connections.
 */
public final class SshdControl {
    private final SafeFiles files;
    private final AgentConfig config;

    public SshdControl(SafeFiles files, AgentConfig config) {
        this.files = files;
        this.config = config;
    }

    /**
     * The drop-in's content. Paths are the files' real paths (with {@code --root} prefixed), as sshd must open
     * them. Only host certificates that exist are listed: sshd refuses a HostCertificate it cannot load.
     */
    public byte[] dropIn(List<String> hostCertPaths) {
        AgentPaths p = files.paths();
        StringBuilder sb = new StringBuilder();
        sb.append("# Written by keyward-agent (manage_sshd_config = true). Edits are overwritten.\n");
        sb.append("TrustedUserCAKeys ").append(p.resolve(AgentPaths.TRUSTED_USER_CA_KEYS)).append('\n');
        sb.append("RevokedKeys ").append(p.resolve(AgentPaths.REVOKED_KEYS)).append('\n');
        sb.append("AuthorizedKeysFile .ssh/authorized_keys ").append(p.resolve(AgentPaths.KEYWARD_AUTHORIZED_KEYS_DIR))
                .append("/%u\n");
        for (String c : hostCertPaths) {
            sb.append("HostCertificate ").append(p.resolve(c)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Installs the drop-in if it differs, checks the result with {@code sshd -t}, and restores the previous
     * drop-in if the check fails. Returns whether the drop-in changed (and passed).
     */
    public boolean installDropIn(List<String> hostCertPaths) throws IOException {
        byte[] want = dropIn(hostCertPaths);
        Optional<byte[]> old = files.readSystemFile(AgentPaths.DROP_IN);
        FileSpec spec = FileSpec.rootOwned(0644, 0);
        if (!files.writeSystemFile(AgentPaths.DROP_IN, want, spec)) {
            return false;
        }
        if (files.dryRun()) {
            return true;
        }
        Optional<String> problem = check();
        if (problem.isPresent()) {
            if (old.isPresent()) {
                files.writeSystemFile(AgentPaths.DROP_IN, old.get(), spec);
            } else {
                files.deleteSystemFile(AgentPaths.DROP_IN, spec);
            }
            throw new IOException("sshd -t rejects the config with the new drop-in, which was rolled back: "
                    + problem.get());
        }
        return true;
    }

    /** {@code sshd -t -f <sshd_config>}: empty if sshd accepts the config, else what it said. */
    public Optional<String> check() throws IOException {
        Path cfg = files.paths().resolve(config.sshdConfig());
        if (!Files.isRegularFile(cfg)) {
            return Optional.of(cfg + " does not exist, so the config cannot be checked");
        }
        List<String> cmd = new ArrayList<>(List.of(config.sshd(), "-t", "-f", cfg.toString()));
        CommandRunner.Result r = CommandRunner.run(cmd, 30);
        return r.ok() ? Optional.empty() : Optional.of(r.output().isEmpty() ? "exit " + r.exitCode() : r.output());
    }

    /** Checks the config, then runs the reload command. */
    public void reload() throws IOException {
        Optional<String> problem = check();
        if (problem.isPresent()) {
            throw new IOException("not reloading sshd: " + problem.get());
        }
        CommandRunner.Result r = CommandRunner.run(config.reloadCommand(), 60);
        if (!r.ok()) {
            throw new IOException("reload command " + String.join(" ", config.reloadCommand()) + " failed ("
                    + r.exitCode() + "): " + r.output());
        }
    }
}
