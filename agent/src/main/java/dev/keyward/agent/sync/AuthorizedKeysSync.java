package dev.keyward.agent.sync;

import dev.keyward.agent.accounts.Account;
import dev.keyward.agent.accounts.Passwd;
import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.fs.FileSpec;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.keys.KeyLine;
import dev.keyward.agent.keys.RawLines;
import dev.keyward.ca.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Brings authorized_keys in line with a {@link DesiredState}, in two passes: plan every account (reading only),
 * check the bulk-purge guard over the whole plan, then write. Either the guard passes and every planned file is
 * written, or nothing is.
 *
 * <p>What counts as a removal: a fingerprint present in an account's files (the keyward file plus the user's
 * own) before the cycle and absent after. Removals the server confirmed (a purge entry with
 * {@code confirmed: true}) and removals of expired desired keys are exempt; break-glass keys are never removed.
 */
public final class AuthorizedKeysSync {
    public static final String HEADER = "# Managed by keyward-agent from the Keyward server's desired state."
            + " Edits here are overwritten.\n";
    static final String USER_FILE = ".ssh/authorized_keys";

    private final SafeFiles files;
    private final Passwd passwd;
    private final BreakGlass breakGlass;
    private final double threshold;
    private final int threads;

    public AuthorizedKeysSync(SafeFiles files, Passwd passwd, BreakGlass breakGlass, double threshold, int threads) {
        this.files = files;
        this.passwd = passwd;
        this.breakGlass = breakGlass;
        this.threshold = threshold;
        this.threads = Math.max(1, threads);
    }

    /**
     * What one cycle did.
     *
     * @param planMs milliseconds spent reading and planning; the rest of the call wrote
     */
    public record Result(int accounts, int filesChanged, int keysRemoved, List<String> warnings, long planMs) {
    }

    /** The plan for one account: new contents (null = leave the file alone, DELETE = remove it). */
    private record AccountPlan(Account account, byte[] keywardOld, byte[] userOld, byte[] keywardNew,
            boolean keywardDelete, byte[] userNew, boolean userTouch, Set<String> removed,
            Set<String> unconfirmedRemoved, int before) {
        /** Keys in the account's files before the cycle (parsed lazily for unchanged accounts). */
        int keysBefore() {
            if (before >= 0) {
                return before;
            }
            Set<String> fps = new LinkedHashSet<>(fingerprints(keywardOld));
            fps.addAll(fingerprints(userOld));
            return fps.size();
        }
    }

    private boolean commitInBackground;

    /**
     * Leaves the renames of the staged keyward files to a thread of their own when {@link #apply} returns: the
     * caller must {@link SafeFiles#awaitCommit()} before it counts the change as made (the cycle overlaps them with
     * the inventory scan). Off by default: {@code apply} returns with every file in place.
     */
    public AuthorizedKeysSync commitInBackground(boolean on) {
        this.commitInBackground = on;
        return this;
    }

    public Result apply(DesiredState state, Instant now) throws IOException, BulkPurgeException {
        if (state.mode() == Mode.REPORT_ONLY) {
            return new Result(0, 0, 0, List.of(), 0);
        }
        List<String> warnings = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(state.accounts().keySet());
        names.addAll(existingKeywardAccounts());
        List<Account> accounts = new ArrayList<>();
        for (String n : names) {
            Optional<Account> a = passwd.get(n);
            if (a.isEmpty()) {
                warnings.add("account " + n + " is not in /etc/passwd: skipped");
                continue;
            }
            accounts.add(a.get());
        }
        // New keyward files (one per account, one root-owned directory) are staged as they are planned: written
        // to temp files no one reads, made durable together, renamed only once the guard below let the plan pass
        // (else they are removed and nothing changed). A first cycle's 10,000 creates, which the kernel serialises
        // in the one directory, so overlap the planning. Users' own files are written, fsynced one by one, after
        // the guard. In dry-run nothing is staged: the plan is printed only once it passed the guard.
        boolean early = !files.dryRun() && !accounts.isEmpty();
        if (early) {
            files.prepareSystemDir(keywardPath(accounts.get(0)), KEYWARD_SPEC);
        }
        long t0 = System.nanoTime();
        List<Integer> changed;
        List<AccountPlan> plans;
        long planMs;
        boolean passed = false;
        boolean written = false;
        files.batch(early);
        try {
            List<Staged> staged = Parallel.map(accounts, a -> {
                AccountPlan p = plan(a, state, now);
                // only files that do not exist yet: creating a temp file is all that happens before the guard
                // (an existing file's update, backup or mode repair waits for it)
                boolean stage = early && p.keywardOld() == null && p.keywardNew() != null && !p.keywardDelete()
                        && files.stages(keywardPath(a));
                return new Staged(p, stage, stage && files.writeSystemFile(keywardPath(a), p.keywardNew(),
                        KEYWARD_SPEC));
            }, threads);
            planMs = (System.nanoTime() - t0) / 1_000_000;
            plans = staged.stream().map(Staged::plan).toList();
            guard(plans);
            passed = true;
            files.batch(true);
            changed = Parallel.map(staged, x -> (x.changed() ? 1 : 0) + write(x.plan(), x.staged()), threads);
            written = true;
        } finally {
            files.batch(false);
            if (!passed) {
                files.discardStaged(); // the plan failed or the guard stopped it: nothing staged goes in
            } else if (!written || !commitInBackground) {
                files.commit(); // after a failure too: what was staged is complete and goes in
            }
        }
        if (commitInBackground) {
            files.commitInBackground();
        }
        int filesChanged = changed.stream().mapToInt(Integer::intValue).sum();
        int removed = plans.stream().mapToInt(p -> p.removed().size()).sum();
        warnings.addAll(files.warnings());
        return new Result(plans.size(), filesChanged, removed, warnings, planMs);
    }

    /** An account's plan, and whether its keyward file was staged (and changed) while planning. */
    private record Staged(AccountPlan plan, boolean staged, boolean changed) {
    }

    /** Root-owned 0644: sshd opens it as the user, so it must be world readable; never writable by the user. */
    private static final FileSpec KEYWARD_SPEC = FileSpec.rootOwned(0644, 2);

    private static String keywardPath(Account a) {
        return AgentPaths.KEYWARD_AUTHORIZED_KEYS_DIR + "/" + a.name();
    }

    /** The bulk-purge guard: per account and for the host, before anything is written or renamed. */
    private void guard(List<AccountPlan> plans) throws BulkPurgeException {
        int unconfirmed = 0;
        List<String> tooMany = new ArrayList<>();
        for (AccountPlan p : plans) {
            unconfirmed += p.unconfirmedRemoved().size();
            if (!p.unconfirmedRemoved().isEmpty() && p.unconfirmedRemoved().size() > threshold * p.before()) {
                tooMany.add(p.account().name() + " (" + p.unconfirmedRemoved().size() + " of " + p.before() + ")");
            }
        }
        int before = 0;
        if (unconfirmed > 0) { // the host-wide share needs every account's count
            for (AccountPlan p : plans) {
                before += p.keysBefore();
            }
        }
        if (!tooMany.isEmpty() || (unconfirmed > 0 && unconfirmed > threshold * before)) {
            throw new BulkPurgeException("bulk-purge guard: this cycle would remove more than "
                    + Math.round(threshold * 100) + "% of the keys of " + (tooMany.isEmpty()
                    ? "this host (" + unconfirmed + " of " + before + ")" : String.join(", ", tooMany))
                    + " without confirmation; nothing was changed. Confirm the purge on the server, or raise"
                    + " bulk_purge_threshold.");
        }
    }

    private AccountPlan plan(Account a, DesiredState state, Instant now) throws IOException {
        DesiredState.AccountKeys desired = state.accounts().get(a.name());
        String keywardPath = AgentPaths.KEYWARD_AUTHORIZED_KEYS_DIR + "/" + a.name();
        byte[] keywardOld = files.readSystemFile(keywardPath).orElse(null);
        Path home = files.paths().resolve(a.home());
        byte[] userOld = files.read(home, USER_FILE).orElse(null); // none when the home is missing

        Set<String> exempt = new TreeSet<>();
        List<DesiredState.Key> desiredLines = new ArrayList<>();
        Set<String> purge = Set.of();
        if (desired != null) {
            purge = desired.purge().keySet();
            desired.purge().forEach((fp, confirmed) -> {
                if (confirmed) {
                    exempt.add(fp);
                }
            });
            for (DesiredState.Key k : desired.keys()) {
                if (k.expiredAt(now)) {
                    exempt.add(k.fingerprint());
                } else {
                    desiredLines.add(k);
                }
            }
        }
        byte[] keywardNew = null;
        boolean keywardDelete = false;
        byte[] userNew = null;
        boolean userTouch = false;
        if (state.mode() == Mode.MANAGED || desired == null) {
            // managed mode, and in exclusive mode the accounts the server does not manage
            keywardNew = keepBreakGlass(keywardOld, desiredLines, true);
            keywardDelete = keywardNew == null && keywardOld != null;
            if (userOld != null && state.mode() == Mode.MANAGED) {
                userNew = purge.isEmpty() ? userOld : withoutPurged(userOld, purge);
                userTouch = true; // rewritten if it changed, owner and mode repaired either way
            }
        } else { // EXCLUSIVE, a managed account: its own file is exactly the desired set
            if (userOld != null || !desiredLines.isEmpty()) {
                // a break-glass key that lived only in the keyward file moves into the user's file
                userNew = keepBreakGlass(userOld, desiredLines, false, keywardOld);
                userTouch = true;
            }
            keywardDelete = keywardOld != null;
        }
        // removals: fingerprints in the account's files before and not after (a file left as it was removes
        // nothing, so it is not even parsed: the common case of a cycle with nothing to do)
        byte[] keywardAfter = keywardDelete ? null : keywardNew != null ? keywardNew : keywardOld;
        byte[] userAfter = userNew != null ? userNew : userOld;
        Set<String> removed = new TreeSet<>();
        int before;
        if (java.util.Arrays.equals(keywardAfter, keywardOld) && java.util.Arrays.equals(userAfter, userOld)) {
            before = -1; // unchanged: counted below only if needed for the host-wide share
        } else {
            Set<String> beforeFps = new LinkedHashSet<>(fingerprints(keywardOld));
            beforeFps.addAll(fingerprints(userOld));
            if (!beforeFps.isEmpty()) { // nothing before (a new account, the first cycle): nothing to remove
                Set<String> afterFps = new LinkedHashSet<>(fingerprints(keywardAfter));
                afterFps.addAll(fingerprints(userAfter));
                removed.addAll(beforeFps);
                removed.removeAll(afterFps);
            }
            before = beforeFps.size();
        }
        Set<String> unconfirmed = new TreeSet<>(removed);
        unconfirmed.removeAll(exempt);
        return new AccountPlan(a, keywardOld, userOld, keywardNew, keywardDelete, userNew, userTouch, removed,
                unconfirmed, before);
    }

    /** Writes what the plan changes; the keyward file unless it was staged while planning ({@code keywardDone}). */
    private int write(AccountPlan p, boolean keywardDone) throws IOException {
        int changed = 0;
        String keywardPath = keywardPath(p.account());
        if (p.keywardDelete()) {
            changed += files.deleteSystemFile(keywardPath, KEYWARD_SPEC) ? 1 : 0;
        } else if (p.keywardNew() != null && !keywardDone) {
            changed += files.writeSystemFile(keywardPath, p.keywardNew(), KEYWARD_SPEC) ? 1 : 0;
        }
        if (p.userTouch() && p.userNew() != null) {
            Path home = files.paths().resolve(p.account().home());
            if (Files.isDirectory(home)) {
                changed += files.write(home, USER_FILE, p.userNew(),
                        FileSpec.userAuthorizedKeys(p.account().uid(), p.account().gid())) ? 1 : 0;
            }
        }
        return changed;
    }

    /** The user's file minus purge-listed keys (never break-glass ones); every other byte as it was. */
    private byte[] withoutPurged(byte[] content, Set<String> purge) {
        List<RawLines.Line> kept = new ArrayList<>();
        for (RawLines.Line l : RawLines.split(content)) {
            Optional<KeyLine> k = parseQuietly(l.text());
            if (k.isPresent() && purge.contains(k.get().fingerprint()) && !breakGlass.contains(k.get().fingerprint())) {
                continue;
            }
            kept.add(l);
        }
        return RawLines.join(kept);
    }

    /** HEADER + the desired lines + any break-glass line of the old file(s) that the new set lacks. */
    private byte[] keepBreakGlass(byte[] old, List<DesiredState.Key> desiredLines, boolean nullIfEmpty,
            byte[]... others) {
        StringBuilder sb = new StringBuilder(HEADER);
        for (DesiredState.Key k : desiredLines) {
            sb.append(k.line()).append('\n');
        }
        boolean any = !desiredLines.isEmpty();
        if (!breakGlass.fingerprints().isEmpty()) {
            Set<String> fps = null; // the desired keys' fingerprints, computed only if a break-glass key is found
            List<byte[]> sources = new ArrayList<>();
            sources.add(old);
            sources.addAll(java.util.Arrays.asList(others));
            for (byte[] src : sources) {
                if (src == null) {
                    continue;
                }
                for (RawLines.Line l : RawLines.split(src)) {
                    Optional<KeyLine> k = parseQuietly(l.text());
                    if (k.isEmpty() || !breakGlass.contains(k.get().fingerprint())) {
                        continue;
                    }
                    if (fps == null) {
                        fps = new LinkedHashSet<>();
                        for (DesiredState.Key d : desiredLines) {
                            fps.add(d.fingerprint());
                        }
                    }
                    if (fps.add(k.get().fingerprint())) {
                        sb.append(l.utf8()).append('\n');
                        any = true;
                    }
                }
            }
        }
        if (nullIfEmpty && !any) {
            return null; // no keys: remove the file rather than keep a header-only one
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Set<String> fingerprints(byte[] content) {
        Set<String> out = new LinkedHashSet<>();
        if (content == null) {
            return out;
        }
        for (RawLines.Line l : RawLines.split(content)) {
            parseQuietly(l.text()).ifPresent(k -> out.add(k.fingerprint()));
        }
        return out;
    }

    static Optional<KeyLine> parseQuietly(String line) {
        try {
            return KeyLine.parse(line);
        } catch (InvalidInputException e) {
            return Optional.empty(); // not a key line sshd could use either: left as it is
        }
    }

    private List<String> existingKeywardAccounts() throws IOException {
        Path dir = files.paths().resolve(AgentPaths.KEYWARD_AUTHORIZED_KEYS_DIR);
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (StateValidator.ACCOUNT.matcher(n).matches() && !n.endsWith(SafeFiles.BACKUP_SUFFIX)) {
                    out.add(n);
                }
            }
        }
        out.sort(null);
        return out;
    }

}
