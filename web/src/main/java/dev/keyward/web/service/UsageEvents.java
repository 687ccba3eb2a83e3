package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.web.db.StorableText;
import dev.keyward.web.db.UsageDao;
import dev.keyward.web.service.AgentReportService.UsageIn;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a usage event (agent/PROTOCOL-agent.md section 5) must meet to be stored: each field within its
 * column ({@code usage_events} in migrations/V2) and its syntax. An event that breaks one is refused whole, never
 * stored cut short or altered.
 */
final class UsageEvents {
    static final Pattern EVENT_ID = Pattern.compile("[A-Za-z0-9_.:=+/-]{1,128}");
    static final Set<String> KINDS = Set.of("accepted", "revoked", "cert_invalid");
    /** Longest id echoed back in {@code acknowledged} even when it is not a valid event id. */
    static final int MAX_ECHOED_ID = 1024;
    static final int MAX_KEY_TYPE = 64;
    static final int MAX_KEY_ID = 255;
    static final int MAX_SOURCE_IP = 64;
    static final int MAX_DETAIL = 1024;

    private UsageEvents() {
    }

    /**
     * Whether {@code id} can be acknowledged. The agent deletes from its spool exactly the ids it gets back, so
     * every id that can be echoed faithfully (text without NUL or unpaired surrogates, not absurdly long) is
     * acknowledged, even a malformed one: a bad event is then dropped instead of being sent again forever.
     */
    static boolean echoable(String id) {
        return !id.isEmpty() && id.length() <= MAX_ECHOED_ID && StorableText.problem(id).isEmpty();
    }

    /** The event to store; {@link InvalidInputException} naming the field if it breaks a rule. */
    static UsageDao.Event check(UsageIn e) {
        if (e.id() == null || !EVENT_ID.matcher(e.id()).matches()) {
            throw new InvalidInputException("id must be 1 to 128 characters of [A-Za-z0-9_.:=+/-]");
        }
        Instant at = Rfc3339.parse(required(e.time(), "time"), "time");
        String kind = required(e.kind(), "kind");
        if (!KINDS.contains(kind)) {
            throw new InvalidInputException("kind must be accepted, revoked or cert_invalid");
        }
        String account = required(e.account(), "account");
        if (!AgentReportService.ACCOUNT.matcher(account).matches()) {
            throw new InvalidInputException("account is not a valid account name");
        }
        String fp = required(e.fingerprint(), "fingerprint");
        if (!AgentReportService.FINGERPRINT.matcher(fp).matches()) {
            throw new InvalidInputException("fingerprint must be SHA256:<43 base64 characters>");
        }
        Optional<Long> serial = Optional.empty();
        if (e.certSerial() != null) {
            try {
                serial = Optional.of(Long.parseUnsignedLong(e.certSerial()));
            } catch (NumberFormatException x) {
                throw new InvalidInputException("cert_serial must be a decimal uint64");
            }
        }
        Optional<String> ca = Optional.ofNullable(e.caFingerprint());
        if (ca.isPresent() && !AgentReportService.FINGERPRINT.matcher(ca.get()).matches()) {
            throw new InvalidInputException("ca_fingerprint must be SHA256:<43 base64 characters>");
        }
        Integer port = e.sourcePort();
        if (port != null && (port < 0 || port > 65535)) {
            throw new InvalidInputException("source_port must be 0 to 65535");
        }
        return new UsageDao.Event(e.id(), at, kind, account, fp, text(e.keyType(), "key_type", MAX_KEY_TYPE), serial,
                Optional.ofNullable(e.keyId()).map(k -> text(k, "key_id", MAX_KEY_ID)), ca,
                text(e.sourceIp(), "source_ip", MAX_SOURCE_IP), Optional.ofNullable(port),
                text(e.detail(), "detail", MAX_DETAIL));
    }

    private static String required(String v, String field) {
        if (v == null || v.isEmpty()) {
            throw new InvalidInputException(field + " is required");
        }
        return v;
    }

    /** An optional text field ("" when absent), at most {@code max} characters of storable text. */
    private static String text(String v, String field, int max) {
        if (v == null) {
            return "";
        }
        if (v.length() > max) {
            throw new InvalidInputException(field + " is longer than " + max + " characters");
        }
        StorableText.problem(v).ifPresent(p -> {
            throw new InvalidInputException(field + " " + p);
        });
        return v;
    }
}
