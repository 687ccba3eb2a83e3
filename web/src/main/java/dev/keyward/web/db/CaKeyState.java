package dev.keyward.web.db;

import java.util.Locale;

/**
 * The states of a CA key version (NIST SP 800-57 Part 1 Rev. 5, section 7: pre-activation, active, deactivated,
 * destroyed, compromised). Only {@code pending -> active -> retired -> destroyed} and {@code any -> revoked}
 * happen; nothing returns to an earlier state.
 */
public enum CaKeyState {
    /** Published and trusted (agents install it), does not sign yet. */
    PENDING,
    /** Signs; one per purpose. */
    ACTIVE,
    /** Never signs again; trusted until the last certificate it signed expires. */
    RETIRED,
    /** The private key was deleted from its token (or its file destroyed); the public key stays on record. */
    DESTROYED,
    /** Compromised: its public key is in the KRL and it is out of every trust bundle. */
    REVOKED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static CaKeyState parse(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }
}
