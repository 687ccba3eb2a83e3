package dev.keyward.agent.cycle;

import dev.keyward.agent.config.AgentConfig;
import dev.keyward.agent.config.AgentPaths;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.ca.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The agent's own files under {@code <state_dir>} (default {@code /var/lib/keyward-agent}, 0700): {@code status.json},
 * {@code state.json} (the last state document applied in full, used when the server answers 304),
 * {@code report.json} (the status reports), the credential and {@code credential.json} (its lifetime and renewal
 * attempts), and the usage spool. Not read by sshd, so written with the plain atomic writer.
 */
public final class StatusStore {
    private final Path dir;
    private final Path credential;
    private final AgentPaths paths;

    public StatusStore(AgentPaths paths, AgentConfig config) {
        this.paths = paths;
        this.dir = paths.resolve(config.stateDir());
        this.credential = paths.resolve(config.credentialFile());
    }

    public Path dir() {
        return dir;
    }

    /** The root the store's paths were resolved under. */
    public AgentPaths paths() {
        return paths;
    }

    public Path spoolDir() {
        return dir.resolve("spool");
    }

    public AgentStatus load() throws IOException {
        try {
            return Json.read(Files.readAllBytes(dir.resolve("status.json")), AgentStatus::fromJson);
        } catch (NoSuchFileException e) {
            return AgentStatus.empty();
        }
    }

    public void save(AgentStatus s) throws IOException {
        ensureDir();
        AtomicFiles.write(dir.resolve("status.json"), Json.write(s), "rw-------");
    }

    /** {@code report.json}: what the agent keeps about its status reports (see {@link ReportState}). */
    public ReportState loadReport() throws IOException {
        try {
            return Json.read(Files.readAllBytes(dir.resolve("report.json")), ReportState::fromJson);
        } catch (NoSuchFileException e) {
            return ReportState.empty();
        }
    }

    public void saveReport(ReportState r) throws IOException {
        ensureDir();
        AtomicFiles.write(dir.resolve("report.json"), Json.write(r), "rw-------");
    }

    public Optional<byte[]> lastState() throws IOException {
        try {
            return Optional.of(Files.readAllBytes(dir.resolve("state.json")));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    public void saveState(byte[] doc) throws IOException {
        ensureDir();
        AtomicFiles.write(dir.resolve("state.json"), doc, "rw-------");
    }

    public Optional<String> credential() throws IOException {
        try {
            String c = Files.readString(credential).strip();
            return c.isEmpty() ? Optional.empty() : Optional.of(c);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** What the agent knows about its credential; unknown when never recorded or unreadable (asked anew). */
    public dev.keyward.agent.credential.CredentialInfo credentialInfo() throws IOException {
        try {
            return Json.read(Files.readAllBytes(dir.resolve("credential.json")),
                    dev.keyward.agent.credential.CredentialInfo::fromJson);
        } catch (NoSuchFileException | dev.keyward.ca.json.JsonException e) {
            return dev.keyward.agent.credential.CredentialInfo.unknown();
        }
    }

    public void saveCredentialInfo(dev.keyward.agent.credential.CredentialInfo info) throws IOException {
        ensureDir();
        AtomicFiles.write(dir.resolve("credential.json"), Json.write(info), "rw-------");
    }

    /** Replaces the credential file atomically (temp + fsync + rename + directory fsync), 0600 in a 0700 directory. */
    public void saveCredential(String value) throws IOException {
        Files.createDirectories(credential.getParent());
        Files.setPosixFilePermissions(credential.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        AtomicFiles.write(credential, (value + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII), "rw-------");
    }

    private void ensureDir() throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }
}
