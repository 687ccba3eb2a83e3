package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.web.db.AgentStatusDao;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks an agent's status report ({@code POST /api/v1/agent/status}, agent/PROTOCOL-agent.md section 7) before it
 * is stored: each field has its shape, text fields hold no control characters (PostgreSQL cannot store a NUL, and
 * these are shown to people), and the KRL version is a uint64. A field that breaks a rule is a 400 naming it.
 */
final class AgentStatusReports {
    static final Set<String> USAGE_SOURCES = Set.of("file", "journal", "none");
    static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}");
    static final int MAX_TEXT = 1024;
    static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** A report as the agent sent it (absent fields null). */
    record In(String agentVersion, String usageSource, String usageDetail, Long usageFlagged, String usageLastFlagged,
            Long trustVersion, BigInteger krlVersion) {
    }

    private AgentStatusReports() {
    }

    static AgentStatusDao.AgentStatus check(In in, Instant at) {
        if (in.agentVersion() != null && !VERSION.matcher(in.agentVersion()).matches()) {
            throw new InvalidInputException("agent_version must be 1 to 64 characters of [A-Za-z0-9._+~-]");
        }
        if (in.usageSource() == null || !USAGE_SOURCES.contains(in.usageSource())) {
            throw new InvalidInputException("usage_source is required: file, journal or none");
        }
        if (in.usageFlagged() != null && in.usageFlagged() < 0) {
            throw new InvalidInputException("usage_flagged must be 0 or more");
        }
        if (in.trustVersion() != null && in.trustVersion() < 0) {
            throw new InvalidInputException("trust_version must be 0 or more");
        }
        if (in.krlVersion() != null && (in.krlVersion().signum() < 0 || in.krlVersion().compareTo(MAX_UINT64) > 0)) {
            throw new InvalidInputException("krl_version must be an unsigned 64-bit number (0 to 2^64-1)");
        }
        return new AgentStatusDao.AgentStatus(Optional.ofNullable(in.agentVersion()), in.usageSource(),
                text(in.usageDetail(), "usage_detail"), in.usageFlagged() == null ? 0 : in.usageFlagged(),
                text(in.usageLastFlagged(), "usage_last_flagged"), Optional.ofNullable(in.trustVersion()),
                Optional.ofNullable(in.krlVersion()), at);
    }

    private static Optional<String> text(String s, String field) {
        if (s == null) {
            return Optional.empty();
        }
        if (s.length() > MAX_TEXT) {
            throw new InvalidInputException(field + " must be at most " + MAX_TEXT + " characters");
        }
        // a lone surrogate comes out of codePoints() as itself
        if (s.codePoints().anyMatch(cp -> Character.isISOControl(cp) || Character.getType(cp) == Character.SURROGATE)) {
            throw new InvalidInputException(field + " must not hold control characters or unpaired surrogates");
        }
        return Optional.of(s);
    }
}
