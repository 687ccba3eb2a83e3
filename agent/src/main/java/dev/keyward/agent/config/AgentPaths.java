package dev.keyward.agent.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Every file the agent reads or writes, named by its path on a real host and resolved under {@code --root}.
 * With root {@code /} the paths are the host's own; with {@code --root /tmp/x} every path is prefixed, so tests,
 * staging trees and containers never touch the host's files.
 */
public final class AgentPaths {
    public static final String KEYWARD_SSH_DIR = "/etc/ssh/keyward";
    public static final String TRUSTED_USER_CA_KEYS = KEYWARD_SSH_DIR + "/trusted_user_ca_keys";
    public static final String REVOKED_KEYS = KEYWARD_SSH_DIR + "/revoked_keys";
    public static final String KEYWARD_AUTHORIZED_KEYS_DIR = KEYWARD_SSH_DIR + "/authorized_keys";
    public static final String SSH_DIR = "/etc/ssh";
    public static final String DROP_IN = "/etc/ssh/sshd_config.d/50-keyward.conf";
    public static final String PASSWD = "/etc/passwd";
    public static final String DEFAULT_CONFIG = "/etc/keyward/agent.conf";

    private final Path root;

    public AgentPaths(Path root) {
        this.root = Objects.requireNonNull(root).toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public boolean isHostRoot() {
        return root.equals(root.getRoot());
    }

    /** The file a host path names under the root: {@code /etc/passwd} becomes {@code <root>/etc/passwd}. */
    public Path resolve(String hostPath) {
        if (!hostPath.startsWith("/")) {
            throw new IllegalArgumentException("expected an absolute path, got '" + hostPath + "'");
        }
        Path p = root.resolve(hostPath.substring(1)).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("path '" + hostPath + "' leaves the root " + root);
        }
        return p;
    }

    public Path resolve(Path hostPath) {
        return resolve(hostPath.toString());
    }

    /** The host path of a file under the root (for messages and for paths written into sshd's config). */
    public String hostPath(Path resolved) {
        Path rel = root.relativize(resolved.toAbsolutePath().normalize());
        return "/" + rel;
    }

    public Path keywardAuthorizedKeys(String account) {
        return resolve(KEYWARD_AUTHORIZED_KEYS_DIR + "/" + account);
    }
}
