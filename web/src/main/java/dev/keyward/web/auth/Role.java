package dev.keyward.web.auth;

import dev.keyward.ca.InvalidInputException;
import java.util.Locale;

/** The roles of the API. */
public enum Role {
    /** Manages tokens, revokes, reads everything; may also get user certificates. */
    ADMIN,
    /** Gets user certificates for itself. */
    ENGINEER,
    /** Reads certificates and the audit log. */
    AUDITOR,
    /** A server: gets host certificates for its registered names. */
    HOST;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String s) {
        if (s != null) {
            for (Role r : values()) {
                if (r.label().equals(s.strip().toLowerCase(Locale.ROOT))) {
                    return r;
                }
            }
        }
        throw new InvalidInputException("role must be one of admin, engineer, auditor, host; got '"
                + (s == null ? "" : s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'");
    }
}
