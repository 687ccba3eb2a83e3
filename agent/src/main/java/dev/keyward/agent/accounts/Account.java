package dev.keyward.agent.accounts;

/** One {@code /etc/passwd} entry: the account's name, ids and home directory (a host path). */
public record Account(String name, int uid, int gid, String home, String shell) {
}
