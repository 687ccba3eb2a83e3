/**
 * The host credential's renewal: the agent renews its credential once two thirds of its lifetime are over, by
 * signing a server-issued challenge with one of the host keys it enrolled with ({@code ssh-keygen -Y sign},
 * PROTOCOL.sshsig), and stores the new credential atomically before it uses it. What it knows about the
 * credential (lifetime, failed attempts) is kept in {@code <state_dir>/credential.json}.
 */
package dev.keyward.agent.credential;
