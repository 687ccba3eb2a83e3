package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;

/** Certificate type as in PROTOCOL.certkeys: SSH_CERT_TYPE_USER = 1, SSH_CERT_TYPE_HOST = 2. */
public enum CertType {
    USER(1),
    HOST(2);

    private final int code;

    CertType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static CertType fromCode(long code) {
        if (code == 1) {
            return USER;
        }
        if (code == 2) {
            return HOST;
        }
        throw new InvalidInputException("unknown certificate type " + code + " (1 = user, 2 = host)");
    }

    public static CertType parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "user" -> USER;
            case "host" -> HOST;
            default -> throw new InvalidInputException("certificate type must be 'user' or 'host', got '" + s + "'");
        };
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
