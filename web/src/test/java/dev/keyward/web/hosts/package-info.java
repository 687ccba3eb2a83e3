/**
 * Hosts and their agents over real HTTP on embedded PostgreSQL: enrollment with join tokens, the desired-state
 * document (ETag, 304, long-poll), agent reports, static keys and the key inventory; and end to end, the real
 * agent and a real sshd.
 */
package dev.keyward.web.hosts;
