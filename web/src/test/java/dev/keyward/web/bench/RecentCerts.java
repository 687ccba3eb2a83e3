package dev.keyward.web.bench;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last certificates the soak got, for its agents to report logins with: a ring that issuance writes and agents
 * read from any thread.
 */
final class RecentCerts {
    /** A certificate as an sshd log line names it: serial, key ID, the certified key, the account logged into. */
    record Cert(long serial, String keyId, String fingerprint, String account) {
    }

    private final AtomicReferenceArray<Cert> ring = new AtomicReferenceArray<>(1024);
    private final AtomicLong next = new AtomicLong();

    void add(Cert c) {
        ring.set((int) (next.getAndIncrement() % ring.length()), c);
    }

    /** One of the recent certificates, or null before the first. */
    Cert any() {
        long n = Math.min(next.get(), ring.length());
        return n == 0 ? null : ring.get((int) ThreadLocalRandom.current().nextLong(n));
    }
}
