/**
 * What sshd trusts besides authorized_keys: the trusted user CA keys, the KRL (never absent, empty by accident
 * or corrupt), host certificates and the optional sshd_config drop-in, with {@code sshd -t} before a reload.
 */
package dev.keyward.agent.trust;
