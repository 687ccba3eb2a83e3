package dev.keyward.web.service;

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

    /**
     * The header's value: each phase in milliseconds (three decimals) from {@code begin} (the request's start) to
     * {@code end}. Built by hand: {@code String.format} cost more than the rest of the request's bookkeeping.
     */
    public String serverTiming(long begin, long end) {
        StringBuilder b = new StringBuilder(160);
        if (committed == 0) {
            return ms(b.append("app;dur="), end - begin).toString();
        }
        ms(b.append("pre;dur="), enqueued - begin);
        ms(b.append(", queue;dur="), batchStart - enqueued);
        ms(b.append(", db;dur="), preludeDone - batchStart);
        ms(b.append(", sign;dur="), signed - preludeDone);
        ms(b.append(", write;dur="), written - signed);
        ms(b.append(", commit;dur="), committed - written);
        ms(b.append(", post;dur="), end - committed);
        ms(b.append(", app;dur="), end - begin);
        return b.append(", batch;desc=").append(batchSize).toString();
    }

    /** Appends max(0, nanos) as milliseconds rounded to three decimals ("12.345"). */
    static StringBuilder ms(StringBuilder b, long nanos) {
        long us = (Math.max(0, nanos) + 500) / 1000;
        long frac = us % 1000;
        b.append(us / 1000).append('.');
        if (frac < 100) {
            b.append(frac < 10 ? "00" : "0");
        }
        return b.append(frac);
    }
}
