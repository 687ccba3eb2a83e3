package dev.keyward.agent.sync;

import java.util.Optional;

/** How far the agent manages a host's authorized_keys (set per host on the server). */
public enum Mode {
    /** Change nothing; inventory only. */
    REPORT_ONLY("report-only"),
    /** {@code /etc/ssh/keyward/authorized_keys/<account>} is exactly the desired set; purge-listed keys leave users' own files. */
    MANAGED("managed"),
    /** Each managed account's {@code ~/.ssh/authorized_keys} is exactly the desired set. */
    EXCLUSIVE("exclusive");

    private final String wire;

    Mode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<Mode> fromWire(String s) {
        for (Mode m : values()) {
            if (m.wire.equals(s)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
