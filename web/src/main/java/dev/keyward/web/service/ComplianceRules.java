package dev.keyward.web.service;

import dev.keyward.web.service.ComplianceReport.Finding;
import java.util.List;
import java.util.Map;

/**
 * What each compliance finding means: its stage, severity and the requirements it maps to. The references are to
 * NIST SP 800-57 Part 1 Rev. 5 (Recommendation for Key Management: section 5.2 key usage, 5.3 cryptoperiods, 5.6
 * algorithm and key-size selection, 6 protection requirements, 8.1 pre-operational phase (registration, generation,
 * distribution), 8.2 operational phase, 8.3 post-operational phase (8.3.4 destruction, 8.3.5 revocation)), PCI DSS
 * 4.0 requirement 3.6 (cryptographic keys are secured: 3.6.1 protection against disclosure and misuse) and 3.7 (key
 * management processes: 3.7.1 generation of strong keys, 3.7.2 secure distribution, 3.7.3 secure storage, 3.7.4 key
 * changes at the end of the cryptoperiod, 3.7.5 retirement, replacement or destruction of keys), and the SOC 2 Trust
 * Services Criteria CC6.1 (logical access security over protected information assets, including the keys that
 * protect them).
 */
public enum ComplianceRules {
    CA_KEY_NOT_IN_HSM("generation", "high", "NIST SP 800-57 Part 1 Rev. 5 §6 (protection of private keys)",
            "PCI DSS 4.0 3.6.1", "PCI DSS 4.0 3.7.3"),
    CA_KEY_PROTECTION_UNKNOWN("generation", "medium", "NIST SP 800-57 Part 1 Rev. 5 §6 (protection of private keys)",
            "PCI DSS 4.0 3.6.1"),
    CA_KEY_WEAK("generation", "high", "NIST SP 800-57 Part 1 Rev. 5 §5.6 (algorithm and key size)",
            "PCI DSS 4.0 3.7.1"),
    HOST_TRUST_LAGGING("distribution", "medium", "NIST SP 800-57 Part 1 Rev. 5 §8.1 (key distribution)",
            "PCI DSS 4.0 3.7.2"),
    HOST_KRL_LAGGING("distribution", "high", "NIST SP 800-57 Part 1 Rev. 5 §8.3.5 (key revocation)",
            "PCI DSS 4.0 3.7.5"),
    CERTIFICATE_LONGER_THAN_POLICY("active_use", "medium", "NIST SP 800-57 Part 1 Rev. 5 §5.3 (cryptoperiods)",
            "PCI DSS 4.0 3.7.4"),
    CA_KEY_OVER_CRYPTOPERIOD("rotation", "medium", "NIST SP 800-57 Part 1 Rev. 5 §5.3 (cryptoperiods)",
            "PCI DSS 4.0 3.7.4"),
    STATIC_KEY_OLD("rotation", "low", "NIST SP 800-57 Part 1 Rev. 5 §5.3 (cryptoperiods)", "PCI DSS 4.0 3.7.4"),
    CA_KEY_NOT_DESTROYED("destruction", "low", "NIST SP 800-57 Part 1 Rev. 5 §8.3.4 (key destruction)",
            "PCI DSS 4.0 3.7.5"),
    STATIC_KEY_UNUSED("inventory", "low", "NIST SP 800-57 Part 1 Rev. 5 §8.3 (keys no longer needed)",
            "PCI DSS 4.0 3.7.5"),
    STATIC_KEY_SHARED("inventory", "medium", "NIST SP 800-57 Part 1 Rev. 5 §5.2 (one key, one use)",
            "PCI DSS 4.0 3.6.1"),
    STATIC_KEY_WEAK("inventory", "high", "NIST SP 800-57 Part 1 Rev. 5 §5.6 (algorithm and key size)",
            "PCI DSS 4.0 3.7.1"),
    STATIC_KEY_NO_OWNER("inventory", "medium", "NIST SP 800-57 Part 1 Rev. 5 §8.1 (registration: each key bound to"
            + " an owner)", "PCI DSS 4.0 3.6.1"),
    AGENT_NOT_SEEN("inventory", "medium", "NIST SP 800-57 Part 1 Rev. 5 §8.2 (operational phase: keys in use"
            + " accounted for)", "PCI DSS 4.0 3.7.5");

    static final String SOC2 = "SOC 2 CC6.1";

    private final String stage;
    private final String severity;
    private final List<String> requirements;

    ComplianceRules(String stage, String severity, String nist, String... pci) {
        this.stage = stage;
        this.severity = severity;
        List<String> r = new java.util.ArrayList<>();
        r.add(nist);
        r.addAll(List.of(pci));
        r.add(SOC2);
        this.requirements = List.copyOf(r);
    }

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public String stage() {
        return stage;
    }

    public String severity() {
        return severity;
    }

    public List<String> requirements() {
        return requirements;
    }

    /** A finding of this kind. */
    Finding finding(String subject, String message, Map<String, Object> evidence) {
        return new Finding(code(), severity, stage, subject, message, evidence, requirements);
    }
}
