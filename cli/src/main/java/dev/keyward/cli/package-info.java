/**
 * {@code keyward}, the engineers' CLI: {@code login} (certificate for the engineer's key, checked and loaded into
 * ssh-agent), {@code status}, {@code logout}.
 */
package dev.keyward.cli;
