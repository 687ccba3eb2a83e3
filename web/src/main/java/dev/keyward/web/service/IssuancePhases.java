package dev.keyward.web.service;

import java.util.Locale;

/**
 * Where one issuance's time went on the server, for the {@code Server-Timing} response header (W3C Server Timing)
 * that {@code http.server_timing} turns on: what the benchmark needs to say where the slowest requests lose their
 * time. The batch worker fills in its batch's instants (nanoTime) before it completes the request, so the
 * request's thread reads them after {@code get()} returns (the completion orders the writes before the reads).
 *
 * <p>Phases, each ending where the next begins: {@code pre} (from the request's first byte to the batch queue:
 * HTTP, authentication, JSON, the key's parsing, policy), {@code queue} (waiting for a batch), {@code db} (the
 * batch's serials and revocation look-up), {@code sign} (signing the batch), {@code write} (waiting for the
 * previous batch's commit to free the audit chain, then rows and audit entries), {@code commit} (the commit and its
 * WAL flush), {@code post} (back to the request's thread). The batch's size goes in as {@code batch;desc=N}.
 */
public final class IssuancePhases {
    long enqueued;
    long batchStart;
    long preludeDone;
    long signed;
    long written;
    long committed;
    int batchSize;

    /** The header's value: each phase in milliseconds from {@code begin} (the request's start) to {@code end}. */
    public String serverTiming(long begin, long end) {
        if (committed == 0) {
            return String.format(Locale.ROOT, "app;dur=%.3f", ms(end - begin));
        }
        return String.format(Locale.ROOT, "pre;dur=%.3f, queue;dur=%.3f, db;dur=%.3f, sign;dur=%.3f, write;dur=%.3f,"
                + " commit;dur=%.3f, post;dur=%.3f, app;dur=%.3f, batch;desc=%d", ms(enqueued - begin),
                ms(batchStart - enqueued), ms(preludeDone - batchStart), ms(signed - preludeDone),
                ms(written - signed), ms(committed - written), ms(end - committed), ms(end - begin), batchSize);
    }

    private static double ms(long nanos) {
        return Math.max(0, nanos) / 1e6;
    }
}
