package dev.keyward.agent.testing;

/**
 * Journal entries as {@code journalctl -o json} prints them: one object per line, every value a string, the fields
 * journald records itself (leading underscore) taken from the sender's credentials and {@code /proc}.
 */
public final class JournalEntries {
    private JournalEntries() {
    }

    /** An entry sshd (OpenSSH 9.2, {@code /usr/sbin/sshd}) sent through syslog(3), as root. */
    public static String sshd(String cursor, int pid, long micros, String messageJson) {
        return entry(cursor, pid, micros, "sshd", "0", "\"_COMM\":\"sshd\",\"_EXE\":\"/usr/sbin/sshd\","
                + "\"_CMDLINE\":\"sshd: deploy [priv]\",\"_SYSTEMD_UNIT\":\"ssh.service\",", messageJson);
    }

    /**
     * An entry with the given {@code SYSLOG_IDENTIFIER}, {@code _UID} and process fields ({@code _COMM},
     * {@code _EXE}, ...: a JSON fragment ending in ',' or empty).
     */
    public static String entry(String cursor, int pid, long micros, String identifier, String uid, String process,
            String messageJson) {
        return "{\"__CURSOR\":\"s=6c1d3e2b8a4f4e0c9d7e5f3a1b2c4d6e;i=" + cursor + ";b=0b6e0f4a2c3d4e5f8a9b7c6d5e4f3a2b;"
                + "m=1a2b3c;t=" + Long.toHexString(micros) + ";x=9f8e7d6c5b4a3928\",\"__REALTIME_TIMESTAMP\":\""
                + micros + "\",\"__MONOTONIC_TIMESTAMP\":\"98765432\","
                + "\"_BOOT_ID\":\"0b6e0f4a2c3d4e5f8a9b7c6d5e4f3a2b\","
                + "\"_TRANSPORT\":\"syslog\",\"PRIORITY\":\"6\",\"SYSLOG_FACILITY\":\"4\",\"SYSLOG_IDENTIFIER\":\""
                + identifier + "\",\"SYSLOG_PID\":\"" + pid + "\",\"_PID\":\"" + pid + "\",\"_UID\":\"" + uid
                + "\",\"_GID\":\"" + uid + "\"," + process + "\"_HOSTNAME\":\"web-01\","
                + "\"_MACHINE_ID\":\"4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d\",\"MESSAGE\":" + messageJson + "}";
    }
}
