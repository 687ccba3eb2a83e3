/**
 * Key usage from sshd's log: a byte-level scanner that finds the few interesting lines without looking at the
 * others, a parser for their exact shapes, a follower that survives rotation and truncation and remembers its
 * position, a journald source, and a bounded on-disk spool of events awaiting acknowledgement.
 */
package dev.keyward.agent.usage;
