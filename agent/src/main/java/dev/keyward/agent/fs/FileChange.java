package dev.keyward.agent.fs;

/**
 * One change the agent made (or, in dry-run, would make) to a managed file.
 *
 * @param hostPath the file's path on the host (without {@code --root})
 * @param before   previous content, null if the file did not exist
 * @param after    new content, null if the file is removed
 * @param note     what else changed (owner or mode repaired), empty if nothing
 */
public record FileChange(String hostPath, byte[] before, byte[] after, String note) {
    public boolean contentChanged() {
        return !java.util.Arrays.equals(before, after);
    }
}
