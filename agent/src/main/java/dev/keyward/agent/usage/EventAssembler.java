package dev.keyward.agent.usage;

import dev.keyward.agent.protocol.UsageEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns parsed lines into {@link UsageEvent}s. Accepted logins are complete in one line. A revocation
 * ({@code Authentication key ... revoked by file}) or an invalid certificate ({@code Certificate invalid: ...})
 * names neither the account nor the client: sshd logs those in the {@code Failed publickey} line that follows
 * from the same process, so the failure waits for it (matched by PID when the log has one).
 */
public final class EventAssembler {
    private record Pending(LogLine line, String id) {
    }

    private final List<UsageEvent> events = new ArrayList<>();
    private final Map<Integer, Pending> pending = new HashMap<>();

    public boolean hasPending() {
        return !pending.isEmpty();
    }

    public void accept(LogLine l, String id) {
        switch (l.kind()) {
            case ACCEPTED -> events.add(event(id, "accepted", l, l, ""));
            case REVOKED, CERT_INVALID -> {
                Pending old = pending.put(l.pid(), new Pending(l, id));
                if (old != null) {
                    flush(old);
                }
            }
            case FAILED -> {
                Pending p = pending.get(l.pid());
                if (p != null && completes(p.line(), l)) {
                    pending.remove(l.pid());
                    String kind = p.line().kind() == LogLine.Kind.REVOKED ? "revoked" : "cert_invalid";
                    events.add(event(p.id(), kind, p.line(), l, p.line().detail()));
                }
            }
        }
    }

    private static boolean completes(LogLine failure, LogLine failed) {
        if (failure.kind() == LogLine.Kind.REVOKED) {
            return failure.fingerprint().equals(failed.fingerprint());
        }
        return failed.keyType() != null && failed.keyType().endsWith("-CERT");
    }

    /** The events so far, with any failure still waiting for its {@code Failed publickey} line. */
    public List<UsageEvent> finish() {
        for (Pending p : List.copyOf(pending.values())) {
            flush(p);
        }
        pending.clear();
        List<UsageEvent> out = List.copyOf(events);
        events.clear();
        return out;
    }

    private void flush(Pending p) {
        String kind = p.line().kind() == LogLine.Kind.REVOKED ? "revoked" : "cert_invalid";
        events.add(event(p.id(), kind, p.line(), p.line(), p.line().detail()));
    }

    private static UsageEvent event(String id, String kind, LogLine when, LogLine who, String detail) {
        String fp = who.fingerprint() != null ? who.fingerprint() : when.fingerprint();
        String type = who.keyType() != null ? who.keyType() : when.keyType();
        return new UsageEvent(id, Instant.ofEpochSecond(when.epochSecond()).toString(), who.account(), fp, type,
                who.serial(), who.keyId(), who.caFingerprint(), who.sourceIp(),
                who.sourcePort() < 0 ? null : who.sourcePort(), kind, detail == null ? "" : detail);
    }
}
