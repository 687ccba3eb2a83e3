package dev.keyward.web.audit;

import dev.keyward.ca.key.SshPublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Checks the chain against checkpoints from every source (the database's table, sink files), each distinct line
 * once:
 * <ol>
 * <li>its signature must verify under a trusted audit key, else {@code bad_signature} (and it counts for nothing
 * else);</li>
 * <li>a valid rollback (signed by {@code restore}) supersedes every checkpoint signed before it at or past its
 * entry: those describe the history the restore replaced, and are reported as a note, not checked;</li>
 * <li>every other valid checkpoint must find its entry in the chain ({@code truncated} when the chain ends before
 * it) with its hash ({@code rewritten} otherwise), and, when read from a file, must also be in the database
 * ({@code checkpoint_deleted} otherwise).</li>
 * </ol>
 * Truncation and rewriting are each reported once, at the checkpoint that shows it first, with the newest
 * checkpoint that still matches the chain.
 */
public final class CheckpointCheck {
    /** The name of the database as a source. */
    public static final String DATABASE = "the database";
    private static final int MAX_LISTED = 10;

    /** A checkpoint and where it was read. */
    public record Sourced(Checkpoint checkpoint, String source) {
    }

    /** What the check found. */
    public record Outcome(List<AuditProblem> problems, List<String> notes, int verified, int superseded,
            Optional<Checkpoint> newest) {
    }

    private record Group(Checkpoint c, List<String> sources) {
        String where() {
            return String.join(" and ", sources);
        }
    }

    private CheckpointCheck() {
    }

    /**
     * @param evidence  every checkpoint read, with its source
     * @param trusted   the audit keys a checkpoint may be signed by
     * @param lastEntry the last entry the chain holds
     * @param hashesAt  the stored hash of each entry asked for that the chain holds
     */
    public static Outcome check(List<Sourced> evidence, Collection<SshPublicKey> trusted, long lastEntry,
            Function<Collection<Long>, Map<Long, String>> hashesAt) {
        Map<String, Group> groups = new LinkedHashMap<>();
        for (Sourced s : evidence) {
            Group g = groups.computeIfAbsent(s.checkpoint().line(), k -> new Group(s.checkpoint(), new ArrayList<>()));
            if (!g.sources().contains(s.source())) {
                g.sources().add(s.source());
            }
        }
        List<AuditProblem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Group> valid = new ArrayList<>();
        int bad = 0;
        for (Group g : groups.values()) {
            if (trusted.stream().anyMatch(g.c()::signedBy)) {
                valid.add(g);
            } else if (++bad <= MAX_LISTED) {
                problems.add(AuditProblem.of("bad_signature", g.c().seq(), badSignature(g, trusted)));
            }
        }
        if (bad > MAX_LISTED) {
            problems.add(AuditProblem.of("bad_signature", (bad - MAX_LISTED) + " more checkpoints are not signed by"
                    + " the audit key"));
        }

        List<Group> rollbacks = valid.stream().filter(g -> g.c().kind() == Checkpoint.Kind.ROLLBACK).toList();
        List<Group> active = new ArrayList<>();
        int superseded = 0;
        for (Group g : valid) {
            if (rollbacks.stream().anyMatch(r -> r != g && g.c().seq() >= r.c().seq()
                    && g.c().time().isBefore(r.c().time()))) {
                superseded++;
            } else {
                active.add(g);
            }
        }
        if (superseded > 0) {
            notes.add(superseded + " checkpoint(s) signed before a restore, at or past the entry it restored the"
                    + " chain to, belong to the history the restore replaced and were not checked: "
                    + String.join("; ", rollbacks.stream().map(r -> r.c().describe() + " in " + r.where()).toList()));
        }
        active.sort(Comparator.comparingLong((Group g) -> g.c().seq()).thenComparing(g -> g.c().time()));

        TreeSet<Long> wanted = new TreeSet<>();
        for (Group g : active) {
            if (g.c().seq() > 0 && g.c().seq() <= lastEntry) {
                wanted.add(g.c().seq());
            }
        }
        Map<Long, String> hashes = hashesAt.apply(wanted);
        Group lastMatching = null;
        Group firstRewritten = null;
        int rewritten = 0;
        Group truncated = null;
        List<Group> notInDatabase = new ArrayList<>();
        for (Group g : active) {
            long seq = g.c().seq();
            boolean matches;
            if (seq == 0) {
                matches = g.c().hash().equals(AuditHashing.GENESIS);
            } else if (seq > lastEntry) {
                truncated = g; // the newest such checkpoint, as they are sorted by seq
                continue;
            } else {
                matches = g.c().hash().equals(hashes.get(seq));
            }
            if (matches) {
                if (firstRewritten == null) {
                    lastMatching = g;
                }
            } else if (rewritten++ == 0) {
                firstRewritten = g;
            }
            if (!g.sources().contains(DATABASE)) {
                notInDatabase.add(g);
            }
        }
        if (truncated != null && !truncated.sources().contains(DATABASE)) {
            notInDatabase.add(truncated);
        }
        if (truncated != null) {
            problems.add(AuditProblem.of("truncated", truncated.c().seq(), "the audit chain was truncated after "
                    + (lastMatching == null ? "its start" : "checkpoint " + lastMatching.c().seq())
                    + ": it ends at entry " + lastEntry + ", but " + truncated.c().describe() + " in "
                    + truncated.where() + " covers entry " + truncated.c().seq() + " (entries " + (lastEntry + 1)
                    + " to " + truncated.c().seq() + " at least were deleted)"));
        }
        if (firstRewritten != null) {
            long seq = firstRewritten.c().seq();
            problems.add(AuditProblem.of("rewritten", seq, "the audit chain was rewritten: entry " + seq
                    + (seq > 0 && !hashes.containsKey(seq) ? " is missing" : " does not have the hash")
                    + " that " + firstRewritten.c().describe() + " in " + firstRewritten.where() + " records, so the"
                    + " chain was changed at or before entry " + seq
                    + (lastMatching == null ? "" : " (after checkpoint " + lastMatching.c().seq()
                            + ", the newest that still matches)")
                    + (rewritten > 1 ? "; " + (rewritten - 1) + " later checkpoint(s) do not match either" : "")));
        }
        if (!notInDatabase.isEmpty()) {
            Group first = notInDatabase.get(0);
            problems.add(AuditProblem.of("checkpoint_deleted", first.c().seq(), notInDatabase.size()
                    + " signed checkpoint(s) are in a sink but not in the database (deleted from audit_checkpoints),"
                    + " the first " + first.c().describe() + " in " + first.where()));
        }
        Optional<Checkpoint> newest = active.stream().map(Group::c).filter(c -> c.kind() == Checkpoint.Kind.CHECKPOINT)
                .max(Comparator.comparingLong(Checkpoint::seq).thenComparing(Checkpoint::time));
        return new Outcome(problems, notes, active.size(), superseded, newest);
    }

    private static String badSignature(Group g, Collection<SshPublicKey> trusted) {
        String keys = String.join(", ", trusted.stream().map(SshPublicKey::fingerprint).toList());
        boolean namesTrusted = trusted.stream().anyMatch(k -> k.fingerprint().equals(g.c().keyFingerprint()));
        return g.c().describe() + " in " + g.where() + " is not signed by the audit key (" + keys + "): "
                + (namesTrusted ? "its signature does not verify"
                        : "it names the key " + g.c().keyFingerprint() + (g.c().signature().publicKey().fingerprint()
                                .equals(g.c().keyFingerprint()) ? "" : " but carries a signature by "
                                        + g.c().signature().publicKey().fingerprint()));
    }
}
