/** The agent against real OpenSSH (sshd, ssh, ssh-keygen) and a stand-in for the server's agent routes. */
package dev.keyward.agent.e2e;
