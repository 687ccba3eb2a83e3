/** The engineer's SSH side: the key pair on disk and ssh-agent, through the OpenSSH tools themselves. */
package dev.keyward.cli.ssh;
