package dev.keyward.web.audit;

import java.util.Optional;

/** Filters and paging for listing audit entries (newest first). */
public record AuditQuery(Optional<String> action, Optional<String> actor, Optional<String> subject,
        Optional<Long> beforeSeq, int limit, int offset) {
}
