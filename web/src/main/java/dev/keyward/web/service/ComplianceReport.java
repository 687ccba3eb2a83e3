package dev.keyward.web.service;

import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/reports/compliance}: per key-lifecycle stage (NIST SP 800-57 Part 1), the evidence Keyward holds
 * and the findings, each citing the requirements it maps to. Rendered as JSON (snake_case) or CSV (a row per
 * finding, {@link ComplianceCsv}).
 *
 * @param generatedAt RFC 3339
 * @param settings    the thresholds the findings were judged by ({@code ca.cryptoperiod}, {@code
 *                    inventory.unused_after}, ...)
 * @param summary     findings per severity and per stage
 */
public record ComplianceReport(String generatedAt, Map<String, String> settings, Summary summary, List<Stage> stages) {

    /** The lifecycle stages, in lifecycle order. */
    public static final List<String> STAGES = List.of("generation", "distribution", "active_use", "rotation",
            "archival", "destruction", "inventory");

    /**
     * One stage.
     *
     * @param reference the NIST SP 800-57 Part 1 Rev. 5 section the stage is described in
     */
    public record Stage(String stage, String reference, Map<String, Object> evidence, List<Finding> findings) {
    }

    /**
     * One finding.
     *
     * @param code         stable identifier ({@code ca_key_over_cryptoperiod}, {@code static_key_weak}, ...)
     * @param severity     {@code high}, {@code medium} or {@code low}
     * @param subject      what it is about: {@code ca_key:3}, {@code key:SHA256:...}, {@code host:web1}, {@code
     *                     serial:42}
     * @param evidence     fingerprints, hosts, accounts, dates: what shows it
     * @param requirements the requirements it maps to (NIST SP 800-57 Part 1, PCI DSS 4.0 3.6/3.7, SOC 2 CC6.1)
     */
    public record Finding(String code, String severity, String stage, String subject, String message,
            Map<String, Object> evidence, List<String> requirements) {
    }

    /** Counts of findings. */
    public record Summary(int findings, Map<String, Integer> bySeverity, Map<String, Integer> byStage) {
    }

    /** Every finding, stage by stage. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public List<Finding> findings() {
        return stages.stream().flatMap(s -> s.findings().stream()).toList();
    }
}
