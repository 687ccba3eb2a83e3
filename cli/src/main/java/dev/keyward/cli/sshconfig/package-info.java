/**
 * {@code keyward ssh-config}: the files that make plain {@code ssh} verify hosts by Keyward's host CA and offer the
 * Keyward certificate, for the hosts the engineer names: what they hold ({@link dev.keyward.cli.sshconfig.SshSetup})
 * and how they are written without touching the engineer's own configuration
 * ({@link dev.keyward.cli.sshconfig.SshConfigInstaller}).
 */
package dev.keyward.cli.sshconfig;
