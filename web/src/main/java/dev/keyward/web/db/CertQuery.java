package dev.keyward.web.db;

import java.util.Optional;

/**
 * Filters and paging for listing certificates (newest first).
 *
 * @param status       active, expired or revoked
 * @param beforeSerial cursor: only serials below this one
 */
public record CertQuery(Optional<String> status, Optional<String> principal, Optional<String> requester,
        Optional<Long> beforeSerial, int limit, int offset) {
}
