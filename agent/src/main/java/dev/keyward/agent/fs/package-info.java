/**
 * Safe reads and writes of the files sshd trusts: no symbolic links below a trusted base, temp + fsync +
 * rename, StrictModes-compatible owners and modes, one backup, and diffs for {@code --dry-run}.
 */
package dev.keyward.agent.fs;
