/**
 * Engineers end to end: the real {@code keyward} CLI against the real server on embedded PostgreSQL, a real
 * ssh-agent and a real sshd that trusts the server's user CA.
 */
package dev.keyward.web.engineer;
