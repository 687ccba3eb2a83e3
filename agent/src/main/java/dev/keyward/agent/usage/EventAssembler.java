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
 *
 * <p>With a {@link WriterCheck}, a line whose PID is a live process that is not sshd becomes no event: it is
 * {@link #flagged() flagged} instead.
 */
public final class EventAssembler {
    private record Pending(LogLine line, String id) {
    }

    private final List<UsageEvent> events = new ArrayList<>();
    private final Map<Integer, Pending> pending = new HashMap<>();
    private final WriterCheck check;
    private final List<String> flaggedSamples = new ArrayList<>();
    private long flaggedCount;
    private String lastFlagged;

    /** Lines are taken as sshd's (parse-log, the journal, whose entries are checked before). */
    public EventAssembler() {
        this(null);
    }

    /** @param check who wrote each line, or null to take every line as sshd's */
    public EventAssembler(WriterCheck check) {
        this.check = check;
    }

    /**
     * Records a log record that looked like sshd's but was not written by sshd. The description holds what the
     * record's writer wrote: control characters become {@code ?} and it is cut at {@link #MAX_DESCRIPTION}.
     */
    public void flag(String description) {
        StringBuilder sb = new StringBuilder(Math.min(description.length(), MAX_DESCRIPTION));
        for (int i = 0; i < description.length() && sb.length() < MAX_DESCRIPTION; i++) {
            char c = description.charAt(i);
            sb.append(Character.isISOControl(c) || Character.isSurrogate(c)
                    || Character.getType(c) == Character.FORMAT ? '?' : c);
        }
        lastFlagged = sb.toString();
        if (flaggedSamples.size() < Flagged.MAX_SAMPLES) {
            flaggedSamples.add(lastFlagged);
        }
        flaggedCount++;
    }

    /** The longest description of a flagged record (a log line is at most 500 bytes in sshd's own log). */
    static final int MAX_DESCRIPTION = 600;

    /** Everything flagged so far. */
    public Flagged flagged() {
        return new Flagged(flaggedCount, flaggedSamples, lastFlagged);
    }

    /** Whether lines need their line (not a prebuilt event) to reach {@link #accept(LogLine, String)}. */
    public boolean checksWriters() {
        return check != null;
    }

    /** Complete events waiting to be drained. */
    public int completed() {
        return events.size();
    }

    /** The complete events so far (failures still waiting for their {@code Failed publickey} line stay). */
    public List<UsageEvent> drain() {
        List<UsageEvent> out = List.copyOf(events);
        events.clear();
        return out;
    }

    public boolean hasPending() {
        return !pending.isEmpty();
    }

    public void accept(LogLine l, String id) {
        if (check != null && l.kind() != LogLine.Kind.FAILED
                && check.check(l.pid(), l.epochSecond()) == WriterCheck.Verdict.NOT_SSHD) {
            flag(Instant.ofEpochSecond(l.epochSecond()) + " " + check.describe(l.pid()) + ": " + describe(l));
            return;
        }
        switch (l.kind()) {
            case ACCEPTED -> events.add(times.accepted(l, id));
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

    /** What a line says, for flagged-line messages. */
    public static String describe(LogLine l) {
        String who = l.account() == null ? "" : " for " + l.account()
                + (l.sourceIp() == null ? "" : " from " + l.sourceIp());
        String key = l.fingerprint() == null ? "" : " " + l.keyType() + " " + l.fingerprint()
                + (l.keyId() == null ? "" : " ID " + l.keyId() + " (serial " + l.serial() + ")");
        return switch (l.kind()) {
            case ACCEPTED -> "accepted publickey" + who + ":" + key;
            case REVOKED -> "key revoked by file " + l.detail() + ":" + key;
            case CERT_INVALID -> "certificate invalid: " + l.detail();
            case FAILED -> "failed publickey" + who + ":" + key;
        };
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

    private final Times times = new Times();

    /** A complete event built elsewhere (an accepted login, built where its line was parsed), in its place. */
    public void accept(UsageEvent ready) {
        events.add(ready);
    }

    /** RFC 3339 in UTC ({@code 2026-11-29T10:05:07Z}), for one thread; consecutive lines mostly share the hour. */
    public static final class Times {
        private long lastEpoch = Long.MIN_VALUE;
        private String lastTime;
        private long lastHour = Long.MIN_VALUE;
        private String lastHourPrefix;

        /** java.time formats the hour, the rest is two digits each. */
        String time(long epoch) {
            if (epoch == lastEpoch) {
                return lastTime;
            }
            long hour = Math.floorDiv(epoch, 3600);
            if (hour != lastHour) {
                String full = Instant.ofEpochSecond(hour * 3600).toString(); // ...THH:00:00Z
                lastHourPrefix = full.substring(0, full.length() - "00:00Z".length());
                lastHour = hour;
            }
            int sec = (int) (epoch - hour * 3600);
            int mi = sec / 60;
            int se = sec % 60;
            byte[] tail = {(byte) ('0' + mi / 10), (byte) ('0' + mi % 10), ':', (byte) ('0' + se / 10),
                    (byte) ('0' + se % 10), 'Z'};
            lastEpoch = epoch;
            lastTime = lastHourPrefix.concat(new String(tail, java.nio.charset.StandardCharsets.ISO_8859_1));
            return lastTime;
        }

        /** The event of an accepted login: complete in its one line. */
        public UsageEvent accepted(LogLine l, String id) {
            return event(this, id, "accepted", l, l, "");
        }
    }

    private UsageEvent event(String id, String kind, LogLine when, LogLine who, String detail) {
        return event(times, id, kind, when, who, detail);
    }

    private static UsageEvent event(Times times, String id, String kind, LogLine when, LogLine who, String detail) {
        String fp = who.fingerprint() != null ? who.fingerprint() : when.fingerprint();
        String type = who.keyType() != null ? who.keyType() : when.keyType();
        return new UsageEvent(id, times.time(when.epochSecond()), who.account(), fp, type,
                who.serial(), who.keyId(), who.caFingerprint(), who.sourceIp(),
                who.sourcePort() < 0 ? null : who.sourcePort(), kind, detail == null ? "" : detail);
    }
}
