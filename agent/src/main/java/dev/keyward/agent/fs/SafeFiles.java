package dev.keyward.agent.fs;

import dev.keyward.agent.config.AgentPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes the files sshd trusts, the way sshd's StrictModes and an attacker with a shell account
 * require.
 *
 * <ul>
 * <li><b>Never through a symbolic link.</b> The base directory (a home, or a directory under {@code /etc})
 * is resolved once; below it every component is opened relative to its parent's file descriptor with
 * {@code O_NOFOLLOW} ({@link SecureDirectoryStream}), so a user who swaps {@code ~/.ssh} for a link to
 * {@code /etc} between a check and the write gets an error, not a root-owned file in {@code /etc}.</li>
 * <li><b>Atomic.</b> The new content goes to a temp file in the same directory, is fsynced, gets its owner
 * and mode, and is renamed over the target ({@code renameat}); then the directory is fsynced. Readers see
 * the old file or the new one, never a partial or missing one.</li>
 * <li><b>StrictModes.</b> Files and the directories the spec owns get an owner of root or the account and
 * no group/world write bit; directories above are checked and reported in {@link #warnings()}.</li>
 * <li><b>One backup</b> ({@code <file>.keyward-bak}) of the previous content.</li>
 * <li><b>Dry-run</b> records the change (for a diff) and touches nothing.</li>
 * </ul>
 * Directories of root-owned system files (such as {@code /etc/ssh/keyward/authorized_keys}, with one file per
 * account) are walked and checked once per instance and then kept open, so a host with 10,000 accounts costs a
 * few system calls per file; {@link #close()} releases them. Users' directories are walked every time.
 */
public final class SafeFiles implements AutoCloseable {
    public static final String BACKUP_SUFFIX = ".keyward-bak";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AgentPaths paths;
    private final boolean dryRun;
    private final ChangeSink sink;
    private final List<String> warnings = new ArrayList<>();
    private Path realRoot;
    /** Opened (and checked) parent directories of system files, by path; guarded by {@code this}. */
    private final java.util.Map<String, Dir> dirs = new java.util.HashMap<>();

    private record Dir(SecureDirectoryStream<Path> sds, Path path) {
    }

    private synchronized Dir cachedDir(String key) {
        return key == null ? null : dirs.get(key);
    }

    /** Caches {@code d} unless another thread cached one first; returns whether {@code d} is now cached. */
    private synchronized boolean cacheDir(String key, Dir d) {
        return dirs.putIfAbsent(key, d) == null;
    }

    private static String dirKey(Path base, String[] parts) {
        Path p = base;
        for (int i = 0; i < parts.length - 1; i++) {
            p = p.resolve(parts[i]);
        }
        return p.toString();
    }

    /**
     * Content of files this instance read or wrote (an empty array marks a file known to be absent), so the
     * inventory at the end of a cycle does not read 20,000 files a second time. One cycle's worth: an edit made
     * in the milliseconds between the sync and the inventory shows up in the next cycle's inventory.
     */
    private final java.util.concurrent.ConcurrentHashMap<String, Optional<byte[]>> contents =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static String contentKey(Path base, String relative) {
        return base.resolve(relative).toString();
    }

    /** Cached directories with renames not yet made durable: fsynced once, at {@link #close()}. */
    private final java.util.Set<Path> dirtyDirs = new java.util.HashSet<>();

    private synchronized boolean deferDirSync(Path dir) {
        for (Dir d : dirs.values()) {
            if (d.path().equals(dir)) {
                dirtyDirs.add(dir);
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        IOException failed = null;
        try {
            awaitCommit(); // not under this object's lock: the commit takes it
        } catch (IOException e) {
            failed = e;
        }
        synchronized (this) {
            for (Path d : dirtyDirs) {
                fsyncDirectory(d);
            }
            dirtyDirs.clear();
            List<SecureDirectoryStream<Path>> all = new ArrayList<>();
            dirs.values().forEach(d -> all.add(d.sds()));
            dirs.clear();
            contents.clear();
            closeAll(all);
        }
        if (failed != null) {
            throw failed;
        }
    }

    public SafeFiles(AgentPaths paths, boolean dryRun, ChangeSink sink) {
        this.paths = paths;
        this.dryRun = dryRun;
        this.sink = sink;
    }

    public boolean dryRun() {
        return dryRun;
    }

    public AgentPaths paths() {
        return paths;
    }

    /** Problems sshd would object to that the agent does not repair (a group-writable home, say). */
    public synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    private synchronized void warn(String w) {
        warnings.add(w);
    }

    /**
     * Writes a root-owned file named by its host path. The directories above the ones {@code spec} owns are
     * created (root, 0755) if missing; they lie in root-controlled territory such as {@code /etc/ssh}.
     */
    public boolean writeSystemFile(String hostPath, byte[] content, FileSpec spec) throws IOException {
        Split s = splitSystem(hostPath, spec.fixDirs());
        boolean known = cachedDir(dirKey(s.base, split(s.relative))) != null;
        if (!dryRun && !known) {
            Files.createDirectories(s.base);
        }
        if (dryRun && !known && !Files.isDirectory(s.base)) {
            sink.record(new FileChange(hostPath, null, content, ""));
            return true;
        }
        return write(s.base, s.relative, content, spec, true);
    }

    /**
     * Creates (as {@code spec} says), checks and keeps open the directories of the system file {@code hostPath}
     * without writing the file, so that a batch stages its files there from the first one. Nothing in dry-run.
     */
    public void prepareSystemDir(String hostPath, FileSpec spec) throws IOException {
        if (dryRun) {
            return;
        }
        Split s = splitSystem(hostPath, spec.fixDirs());
        if (cachedDir(dirKey(s.base, split(s.relative))) != null) {
            return;
        }
        Files.createDirectories(s.base);
        writeUncached(s.base, s.relative, null, spec, true, null, false);
    }

    /** Directories {@link #prepareSystemDir} created empty in this instance: nothing to look up in them. */
    private final java.util.Set<Path> fresh = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Directories {@link #prepareSystemDir} created, in order: {@link #discardStaged} removes them again. */
    private final List<Path> prepared = java.util.Collections.synchronizedList(new ArrayList<>());

    /** Whether a write of the system file {@code hostPath} now would be staged (batch mode, its directory open). */
    public boolean stages(String hostPath) {
        if (!batch) {
            return false;
        }
        Split s = splitSystem(hostPath, 0);
        return cachedDir(dirKey(s.base, split(s.relative))) != null;
    }

    public Optional<byte[]> readSystemFile(String hostPath) throws IOException {
        Split s = splitSystem(hostPath, 0);
        if (cachedDir(dirKey(s.base, split(s.relative))) == null && !Files.isDirectory(s.base)) {
            return Optional.empty();
        }
        return read(s.base, s.relative, true);
    }

    public boolean deleteSystemFile(String hostPath, FileSpec spec) throws IOException {
        Split s = splitSystem(hostPath, 0);
        if (cachedDir(dirKey(s.base, split(s.relative))) == null && !Files.isDirectory(s.base)) {
            return false;
        }
        return delete(s.base, s.relative, spec, true);
    }

    private record Split(Path base, String relative) {
    }

    private Split splitSystem(String hostPath, int fixDirs) {
        Path full = paths.resolve(hostPath);
        Path base = full.getParent();
        StringBuilder rel = new StringBuilder(full.getFileName().toString());
        for (int i = 0; i < fixDirs; i++) {
            rel.insert(0, base.getFileName() + "/");
            base = base.getParent();
        }
        return new Split(base, rel.toString());
    }

    /** Reads {@code relative} under {@code base} without following any link below the base. */
    public Optional<byte[]> read(Path base, String relative) throws IOException {
        return read(base, relative, false);
    }

    private Optional<byte[]> read(Path base, String relative, boolean cache) throws IOException {
        String ck = contentKey(base, relative);
        Optional<byte[]> known = contents.get(ck);
        if (known != null) {
            return known;
        }
        Optional<byte[]> r = readUncached(base, relative, cache);
        contents.put(ck, r);
        return r;
    }

    private Optional<byte[]> readUncached(Path base, String relative, boolean cache) throws IOException {
        String[] parts = split(relative);
        String key = cache ? dirKey(base, parts) : null;
        Dir c = cachedDir(key);
        if (c != null) {
            if (fresh.contains(c.path())) {
                // made empty by prepareSystemDir: what is in it, this instance wrote (and the cache above answers);
                // no lookup, which would wait on the creates holding the directory's lock
                return Optional.empty();
            }
            return readFinal(c.sds(), base, parts);
        }
        // most accounts have no ~/.ssh: one lstat says so, without opening the home and walking it (a missing
        // file, or a missing home, is all this answers; anything that exists takes the walk below, which does the
        // checking)
        if (!Files.exists(base.resolve(parts[0]), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        List<SecureDirectoryStream<Path>> open = new ArrayList<>();
        try {
            SecureDirectoryStream<Path> dir = openBase(base, open);
            Path dirPath = lastReal.get();
            boolean healthy = true;
            for (int i = 0; i < parts.length - 1; i++) {
                PosixFileAttributes a = attrs(dir, parts[i]);
                if (a == null) {
                    return Optional.empty();
                }
                if (a.isSymbolicLink() || !a.isDirectory()) {
                    throw new UnsafePathException(describe(base, parts, i) + " is "
                            + (a.isSymbolicLink() ? "a symbolic link" : "not a directory") + "; refusing to read through it");
                }
                dir = push(open, dir.newDirectoryStream(Path.of(parts[i]), LinkOption.NOFOLLOW_LINKS));
                // a directory a write would repair is not cached, so that the next write walks (and repairs) it
                healthy &= (Ownership.mode(a.permissions()) & 022) == 0
                        && Ownership.acceptableOwner(Ownership.uidOf(dirPath.resolve(parts[i])), 0);
                dirPath = dirPath.resolve(parts[i]);
            }
            if (key != null && healthy && cacheDir(key, new Dir(dir, dirPath))) {
                open.remove(dir);
            }
            return readFinal(dir, base, parts);
        } finally {
            closeAll(open);
        }
    }

    private Optional<byte[]> readFinal(SecureDirectoryStream<Path> dir, Path base, String[] parts) throws IOException {
        String name = parts[parts.length - 1];
        PosixFileAttributes a = attrs(dir, name);
        if (a == null) {
            return Optional.empty();
        }
        checkRegular(a, base, parts);
        return Optional.of(readAll(dir, name));
    }

    /**
     * Makes {@code relative} under {@code base} hold exactly {@code content} with an owner and mode sshd
     * accepts. Returns whether anything changed (or, in dry-run, would change).
     */
    public boolean write(Path base, String relative, byte[] content, FileSpec spec) throws IOException {
        return write(base, relative, content, spec, false);
    }

    private boolean write(Path base, String relative, byte[] content, FileSpec spec, boolean cache)
            throws IOException {
        String ck = contentKey(base, relative);
        Optional<byte[]> known = contents.remove(ck);
        byte[] knownBytes = known == null ? null : known.orElse(null);
        boolean changed = writeUncached(base, relative, content, spec, cache, knownBytes,
                known != null && known.isEmpty());
        if (!dryRun) {
            contents.put(ck, Optional.of(!changed && knownBytes != null ? knownBytes : content.clone()));
        }
        return changed;
    }

    /** {@code known}: the content this instance read from the file in this cycle, if it did (null if not). */
    private boolean writeUncached(Path base, String relative, byte[] content, FileSpec spec, boolean cache,
            byte[] known, boolean knownAbsent) throws IOException {
        String[] parts = split(relative);
        String hostPath = paths.hostPath(base.resolve(relative));
        List<String> notes = new ArrayList<>();
        String key = cache ? dirKey(base, parts) : null;
        Dir c = cachedDir(key);
        if (c != null) {
            // in a cached root-owned directory, a file this instance found absent moments ago is not looked up
            // again: nobody but root writes there, and the rename that installs the new one never follows a link
            return writeFinal(c.sds(), c.path(), parts, base, hostPath, content, spec, notes, known, knownAbsent);
        }
        List<SecureDirectoryStream<Path>> open = new ArrayList<>();
        try {
            SecureDirectoryStream<Path> dir = openBase(base, open);
            Path dirPath = lastReal.get();
            int ownedFrom = parts.length - 1 - spec.fixDirs();
            checkAncestor(dirPath, spec.uid(), hostPath);
            for (int i = 0; i < parts.length - 1; i++) {
                String name = parts[i];
                boolean owned = i >= ownedFrom;
                PosixFileAttributes a = attrs(dir, name);
                if (a == null) {
                    if (!owned) {
                        throw new NoSuchFileException(describe(base, parts, i), null, "directory is missing");
                    }
                    if (dryRun) {
                        sink.record(new FileChange(hostPath, null, content, "would create " + describe(base, parts, i)));
                        return true;
                    }
                    try {
                        Files.createDirectory(dirPath.resolve(name));
                        if (content == null) {
                            prepared.add(dirPath.resolve(name));
                        }
                    } catch (FileAlreadyExistsException raced) {
                        // someone created it meanwhile: the checks below apply to whatever is there now
                    }
                    a = attrs(dir, name);
                    if (a == null) {
                        throw new NoSuchFileException(describe(base, parts, i));
                    }
                    if (!a.isSymbolicLink() && a.isDirectory()) {
                        setOwnerAndMode(dir, name, spec.uid(), spec.gid(), spec.dirMode());
                        a = attrs(dir, name);
                        notes.add("created " + describe(base, parts, i));
                    }
                }
                if (a.isSymbolicLink() || !a.isDirectory()) {
                    throw new UnsafePathException("refusing to write " + hostPath + ": " + describe(base, parts, i)
                            + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a directory"));
                }
                SecureDirectoryStream<Path> next = push(open, dir.newDirectoryStream(Path.of(name),
                        LinkOption.NOFOLLOW_LINKS));
                int mode = Ownership.mode(a.permissions());
                // numeric owner by lstat of the path: information only, every change below goes through the fd
                boolean ownerOk = Ownership.acceptableOwner(Ownership.uidOf(dirPath.resolve(name)), spec.uid());
                if ((mode & 022) != 0 || !ownerOk) {
                    if (owned) {
                        if (!dryRun) {
                            setOwnerAndMode(dir, name, ownerOk ? -1 : spec.uid(), ownerOk ? -1 : spec.gid(),
                                    mode & ~022);
                        }
                        notes.add("repaired " + describe(base, parts, i) + " (" + modeString(mode) + ")");
                    } else {
                        warn(describe(base, parts, i) + " is " + (ownerOk ? "group or world writable"
                                : "owned by someone else") + ": sshd's StrictModes will refuse " + hostPath);
                    }
                }
                dir = next;
                dirPath = dirPath.resolve(name);
            }
            if (key != null && !dryRun && cacheDir(key, new Dir(dir, dirPath))) {
                open.remove(dir);
            }
            if (content == null) { // prepareSystemDir: the directories only
                if (!prepared.isEmpty() && prepared.get(prepared.size() - 1).equals(dirPath)) {
                    fresh.add(dirPath); // the file's own directory was just made: empty
                }
                return false;
            }
            return writeFinal(dir, dirPath, parts, base, hostPath, content, spec, notes, known, false);
        } finally {
            closeAll(open);
        }
    }

    private boolean writeFinal(SecureDirectoryStream<Path> dir, Path dirPath, String[] parts, Path base,
            String hostPath, byte[] content, FileSpec spec, List<String> notes, byte[] known, boolean knownAbsent)
            throws IOException {
        String name = parts[parts.length - 1];
        PosixFileAttributes a = knownAbsent ? null : attrs(dir, name);
        byte[] old = null;
        int uid = spec.uid();
        int gid = spec.gid();
        int mode = spec.mode();
        boolean repair = false;
        if (a != null) {
            if (a.isSymbolicLink()) {
                throw new UnsafePathException("refusing to write " + hostPath + ": it is a symbolic link");
            }
            checkRegular(a, base, parts);
            // the plan read this file moments ago through the same checks: its content is not read twice (a
            // file of the same size that root rewrote in between is repaired by the next cycle)
            old = known != null && known.length == a.size() ? known : readAll(dir, name);
            int existing = Ownership.mode(a.permissions());
            if ((existing & ~spec.allowed()) != 0) {
                mode = existing & spec.allowed();
                repair = true;
                notes.add("mode " + modeString(existing) + " -> " + modeString(mode));
            } else {
                mode = existing;
            }
            int owner = Ownership.uidOf(dirPath.resolve(name));
            if (Ownership.acceptableOwner(owner, spec.uid())) {
                uid = owner; // keep the acceptable owner (and group) the file has
                gid = -1;
            } else {
                repair = true;
                notes.add("owner repaired");
            }
        }
        boolean contentChanged = old == null || !java.util.Arrays.equals(old, content);
        if (!contentChanged && !repair) {
            return false;
        }
        FileChange change = new FileChange(hostPath, old, content, String.join("; ", notes));
        if (dryRun) {
            sink.record(change);
            return true;
        }
        if (!contentChanged) {
            setOwnerAndMode(dir, name, uid == Ownership.uidOf(dirPath.resolve(name)) ? -1 : uid, gid, mode);
            sink.record(change);
            return true;
        }
        if (old != null && spec.backup()) {
            replace(dir, dirPath, name + BACKUP_SUFFIX, old, uid, -1, 0600, null);
        }
        // reported once it is in place (a staged write by the commit that renames it): a write that failed, on a full
        // disk say, or a staged one that was discarded, is not reported as a change
        boolean done = replace(dir, dirPath, name, content, uid, gid == -1 ? groupOf(dirPath.resolve(name)) : gid,
                mode, change);
        if (done) {
            sink.record(change);
        }
        PosixFileAttributes after = done ? attrs(dir, name) : null;
        if (done && (after == null || after.isSymbolicLink() || !after.isRegularFile())) {
            throw new UnsafePathException(hostPath + " changed under the agent while it was written");
        }
        return true;
    }

    /** Removes {@code relative} (after a backup). Returns whether it existed. */
    public boolean delete(Path base, String relative, FileSpec spec) throws IOException {
        return delete(base, relative, spec, false);
    }

    private boolean delete(Path base, String relative, FileSpec spec, boolean cache) throws IOException {
        String ck = contentKey(base, relative);
        contents.remove(ck);
        boolean existed = deleteUncached(base, relative, spec, cache);
        if (!dryRun) {
            contents.put(ck, Optional.empty());
        }
        return existed;
    }

    private boolean deleteUncached(Path base, String relative, FileSpec spec, boolean cache) throws IOException {
        String[] parts = split(relative);
        String hostPath = paths.hostPath(base.resolve(relative));
        String key = cache ? dirKey(base, parts) : null;
        Dir c = cachedDir(key);
        if (c != null) {
            return deleteFinal(c.sds(), c.path(), base, parts, hostPath, spec);
        }
        List<SecureDirectoryStream<Path>> open = new ArrayList<>();
        try {
            SecureDirectoryStream<Path> dir = openBase(base, open);
            Path dirPath = lastReal.get();
            for (int i = 0; i < parts.length - 1; i++) {
                PosixFileAttributes a = attrs(dir, parts[i]);
                if (a == null) {
                    return false;
                }
                if (a.isSymbolicLink() || !a.isDirectory()) {
                    throw new UnsafePathException("refusing to remove " + hostPath + ": " + describe(base, parts, i)
                            + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a directory"));
                }
                dir = push(open, dir.newDirectoryStream(Path.of(parts[i]), LinkOption.NOFOLLOW_LINKS));
                dirPath = dirPath.resolve(parts[i]);
            }
            if (key != null && !dryRun && cacheDir(key, new Dir(dir, dirPath))) {
                open.remove(dir);
            }
            return deleteFinal(dir, dirPath, base, parts, hostPath, spec);
        } finally {
            closeAll(open);
        }
    }

    private boolean deleteFinal(SecureDirectoryStream<Path> dir, Path dirPath, Path base, String[] parts,
            String hostPath, FileSpec spec) throws IOException {
        String name = parts[parts.length - 1];
        PosixFileAttributes a = attrs(dir, name);
        if (a == null) {
            return false;
        }
        if (a.isSymbolicLink()) {
            throw new UnsafePathException("refusing to remove " + hostPath + ": it is a symbolic link");
        }
        checkRegular(a, base, parts);
        byte[] old = readAll(dir, name);
        FileChange change = new FileChange(hostPath, old, null, "");
        if (dryRun) {
            sink.record(change);
            return true;
        }
        if (spec.backup()) {
            replace(dir, dirPath, name + BACKUP_SUFFIX, old, -1, -1, 0600, null);
        }
        dir.deleteFile(Path.of(name));
        sink.record(change);
        fsyncDirectory(dirPath);
        return true;
    }

    /**
     * Writes a temp file next to {@code name}, fsyncs it, sets owner and mode, renames it over {@code name}.
     * Returns false when the rename was staged for {@link #commit()} (batch mode, a cached
     * system directory), true when it is done. A staged write's {@code change} (if not null) is reported by the
     * commit that renames it.
     */
    private boolean replace(SecureDirectoryStream<Path> dir, Path dirPath, String name, byte[] content, int uid,
            int gid, int mode, FileChange change) throws IOException {
        Path tmp = Path.of("." + name + ".keyward-" + HexFormat.of().toHexDigits(RANDOM.nextLong()) + ".tmp");
        boolean moved = false;
        // staged writes go through the cached (long-lived) descriptor of their directory, which outlives this call
        Dir cachedDir = batch ? cachedDirAt(dirPath) : null;
        boolean staged = cachedDir != null;
        if (staged) {
            dir = cachedDir.sds();
        }
        try {
            Set<OpenOption> opts = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
            // created with its final mode (or less, after the umask), owned by the agent: never more open than
            // the file it replaces will be
            try (SeekableByteChannel ch = dir.newByteChannel(tmp, opts,
                    PosixFilePermissions.asFileAttribute(Ownership.perms(mode & 0777)))) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                try {
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                    if (!(ch instanceof FileChannel fc)) {
                        throw new IOException("cannot fsync " + tmp + ": not a FileChannel");
                    } else if (!staged) {
                        fc.force(true);
                    }
                } catch (IOException e) {
                    // a full disk (ENOSPC) or a file-size limit (EFBIG) comes as a bare "No space left on device":
                    // name the file it was for (the temp file is removed below, the file itself is untouched)
                    throw new IOException("cannot write " + dirPath.resolve(name) + ": " + e.getMessage(), e);
                }
            }
            String shape = dirPath + "\0" + uid + "\0" + gid + "\0" + mode;
            if (!staged || !createdRight.contains(shape)) {
                if (!fixOwnerAndMode(dir, dirPath, tmp.toString(), uid, gid, mode) && staged) {
                    // a file this process creates in this root-owned directory comes out with this owner and
                    // mode (the umask, the directory's group and ACL are what they were for the first one): the
                    // next thousands of them skip the lstat
                    createdRight.add(shape);
                }
            }
            if (staged) {
                stage(new Pending(dir, dirPath, tmp, name, change));
                moved = true; // the temp file now belongs to the pending list
                return false;
            }
            dir.move(tmp, dir, Path.of(name));
            moved = true;
            // the rename is atomic now; its durability for a directory with thousands of files (one per account)
            // is batched into one fsync when the cycle ends
            if (!deferDirSync(dirPath)) {
                fsyncDirectory(dirPath);
            }
        } finally {
            if (!moved) {
                try {
                    dir.deleteFile(tmp);
                } catch (NoSuchFileException ignored) {
                    // never created
                }
            }
        }
        return true;
    }

    /**
     * A temp file written (not yet fsynced) and owned, waiting to be renamed over {@code name}; {@code change} (if
     * not null) is reported then.
     */
    private record Pending(SecureDirectoryStream<Path> dir, Path dirPath, Path tmp, String name, FileChange change) {
    }

    private volatile boolean batch;
    private final List<Pending> pending = new ArrayList<>();

    /**
     * Batch mode, for cycles that write thousands of files into one root-owned directory (the keyward
     * authorized_keys directory): temp files are written and owned at once, but the fsync of their data and the
     * renames wait for {@link #commit()}, which makes all the data durable with one {@code sync -f} (syncfs) and
     * then renames. Each file is still replaced atomically, and only after its data is on disk; what changes is
     * that 10,000 fsyncs become one. Directories that are not cached (users' homes) are never batched.
     */
    public void batch(boolean on) {
        this.batch = on;
    }

    private synchronized void stage(Pending p) {
        pending.add(p);
    }

    private synchronized Dir cachedDirAt(Path dirPath) {
        for (Dir d : dirs.values()) {
            if (d.path().equals(dirPath)) {
                return d;
            }
        }
        return null;
    }

    /**
     * Makes staged writes durable (one syncfs per directory's file system), then renames them in order. The work
     * is done without holding this object's lock, so that reads (the inventory) go on meanwhile.
     */
    public void commit() throws IOException {
        List<Pending> todo;
        synchronized (this) {
            if (pending.isEmpty()) {
                return;
            }
            todo = new ArrayList<>(pending);
            pending.clear();
        }
        java.util.Set<Path> dirsToSync = new java.util.LinkedHashSet<>();
        todo.forEach(p -> dirsToSync.add(p.dirPath()));
        for (Path d : dirsToSync) {
            boolean synced;
            try {
                synced = dev.keyward.agent.trust.CommandRunner.run(List.of("sync", "-f", d.toString()), 300).ok();
            } catch (IOException e) {
                synced = false;
            }
            if (!synced) { // no sync(1) with -f here: fsync each file instead
                for (Pending p : todo) {
                    if (p.dirPath().equals(d)) {
                        try (SeekableByteChannel ch = p.dir().newByteChannel(p.tmp(),
                                Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
                            ((FileChannel) ch).force(true);
                        }
                    }
                }
            }
        }
        IOException first = null;
        java.util.Set<Path> renamed = new java.util.LinkedHashSet<>();
        for (Pending p : todo) {
            try {
                p.dir().move(p.tmp(), p.dir(), Path.of(p.name()));
                renamed.add(p.dirPath());
                if (p.change() != null) {
                    sink.record(p.change());
                }
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
                try {
                    p.dir().deleteFile(p.tmp());
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
        java.util.Set<Path> toSync;
        synchronized (this) {
            dirtyDirs.addAll(renamed);
            toSync = new java.util.LinkedHashSet<>(dirtyDirs);
            dirtyDirs.clear();
        }
        for (Path d : toSync) {
            fsyncDirectory(d);
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Drops the staged writes: their temp files are removed and none is renamed, so none ever became visible.
     * What this instance remembered of file contents is forgotten (it held the staged content).
     */
    public void discardStaged() {
        List<Pending> todo;
        synchronized (this) {
            todo = new ArrayList<>(pending);
            pending.clear();
        }
        for (Pending p : todo) {
            try {
                p.dir().deleteFile(p.tmp());
            } catch (IOException ignored) {
                // already gone
            }
        }
        contents.clear();
        // and the directories made for them, if nothing else went in (closed and forgotten first)
        List<Path> made;
        synchronized (prepared) {
            made = new ArrayList<>(prepared);
            prepared.clear();
        }
        fresh.clear();
        for (int i = made.size() - 1; i >= 0; i--) {
            Path d = made.get(i);
            List<SecureDirectoryStream<Path>> drop = new ArrayList<>();
            synchronized (this) {
                dirs.values().removeIf(x -> {
                    if (x.path().startsWith(d)) {
                        drop.add(x.sds());
                        return true;
                    }
                    return false;
                });
            }
            try {
                closeAll(drop);
                Files.delete(d);
            } catch (IOException ignored) {
                // not empty (or gone): it stays
            }
        }
    }

    /** A {@link #commit()} running on its own thread; guarded by {@code this}. */
    private java.util.concurrent.FutureTask<Void> committing;

    /**
     * Starts {@link #commit()} on a thread of its own and returns: the renames of a large batch (a first cycle
     * creates 10,000 files, the kernel serialises their renames in the one directory) go on while the caller
     * does other work. {@link #awaitCommit()} (and {@link #close()}) wait for it and report its failure.
     */
    public void commitInBackground() {
        java.util.concurrent.FutureTask<Void> t;
        synchronized (this) {
            if (pending.isEmpty() || committing != null) {
                return;
            }
            t = new java.util.concurrent.FutureTask<>(() -> {
                commit();
                return null;
            });
            committing = t;
        }
        Thread th = new Thread(t, "keyward-commit");
        th.setDaemon(true);
        th.start();
    }

    /** Waits for a {@link #commitInBackground()} and commits anything staged since; throws what the commit threw. */
    public void awaitCommit() throws IOException {
        java.util.concurrent.FutureTask<Void> t;
        synchronized (this) {
            t = committing;
            committing = null;
        }
        if (t != null) {
            try {
                t.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while renaming staged files");
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw new IOException(e.getCause());
            }
        }
        commit();
    }

    /** Cached system directories (by path, uid, gid and mode) whose new files needed no owner or mode change. */
    private final java.util.Set<String> createdRight = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * {@link #setOwnerAndMode} for a file the agent just created in {@code dirPath}: one lstat, and a change only
     * where it differs (each change through a SecureDirectoryStream opens the file once more; a root-owned 0644
     * file created by root under umask 022 needs none). Numeric ids by path, as {@link Ownership#uidOf}:
     * information only (PosixFileAttributes#owner would look the name up in /etc/passwd each time); every change
     * goes through the directory's descriptor. Returns whether anything had to change.
     */
    private static boolean fixOwnerAndMode(SecureDirectoryStream<Path> dir, Path dirPath, String name, int uid, int gid,
            int mode) throws IOException {
        java.util.Map<String, Object> a = Files.readAttributes(dirPath.resolve(name), "unix:uid,gid,mode",
                LinkOption.NOFOLLOW_LINKS);
        boolean chown = Ownership.canChown();
        int setUid = chown && uid >= 0 && (Integer) a.get("uid") != uid ? uid : -1;
        int setGid = chown && gid >= 0 && (Integer) a.get("gid") != gid ? gid : -1;
        if (setUid >= 0 || setGid >= 0 || ((Integer) a.get("mode") & 07777) != mode) {
            setOwnerAndMode(dir, name, setUid, setGid, mode);
            return true;
        }
        return false;
    }

    private static void setOwnerAndMode(SecureDirectoryStream<Path> dir, String name, int uid, int gid, int mode)
            throws IOException {
        PosixFileAttributeView v = dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (Ownership.canChown()) {
            if (uid >= 0) {
                v.setOwner(Ownership.user(uid));
            }
            if (gid >= 0) {
                v.setGroup(Ownership.group(gid));
            }
        }
        v.setPermissions(Ownership.perms(mode));
    }

    private void checkAncestor(Path dirPath, int accountUid, String hostPath) throws IOException {
        int mode = Ownership.modeOf(dirPath);
        int uid = Ownership.uidOf(dirPath);
        if ((mode & 022) != 0 && (mode & 01000) == 0) {
            warn(paths.hostPath(dirPath) + " is group or world writable (" + modeString(mode)
                    + "): sshd's StrictModes will refuse " + hostPath);
        } else if (!Ownership.acceptableOwner(uid, accountUid)) {
            warn(paths.hostPath(dirPath) + " is owned by uid " + uid + ": sshd's StrictModes will refuse " + hostPath);
        }
    }

    private static int groupOf(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    }

    /** The real path of the base {@link #openBase} opened last on this thread. */
    private final ThreadLocal<Path> lastReal = new ThreadLocal<>();

    private SecureDirectoryStream<Path> openBase(Path base, List<SecureDirectoryStream<Path>> open)
            throws IOException {
        Path real = realPath(base);
        lastReal.set(real);
        if (realRoot == null) {
            realRoot = paths.root().toRealPath();
        }
        if (!real.startsWith(realRoot)) {
            throw new UnsafePathException(base + " resolves to " + real + ", outside the root " + paths.root());
        }
        DirectoryStream<Path> ds = Files.newDirectoryStream(real);
        if (!(ds instanceof SecureDirectoryStream<Path> sds)) {
            ds.close();
            throw new IOException("this platform has no SecureDirectoryStream; the agent needs Linux");
        }
        return push(open, sds);
    }

    /** Real paths of the parents of bases (such as {@code /home}), resolved once per instance. */
    private final java.util.concurrent.ConcurrentHashMap<Path, Path> realParents =
            new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * {@code base.toRealPath()} without a realpath(3) (a readlink per component) for each of 10,000 homes: the
     * parent's real path is resolved once, and a last component that is a directory, not a link, is appended to
     * it. A base that is a link, or anything unusual, takes the full realpath.
     */
    private Path realPath(Path base) throws IOException {
        Path abs = base.toAbsolutePath().normalize();
        Path parent = abs.getParent();
        Path name = abs.getFileName();
        if (parent == null || name == null || !abs.equals(base.toAbsolutePath())) {
            return base.toRealPath();
        }
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = Files.readAttributes(abs, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return base.toRealPath(); // the same error (or result) as before
        }
        if (a.isSymbolicLink() || !a.isDirectory()) {
            return base.toRealPath();
        }
        Path realParent = realParents.get(parent);
        if (realParent == null) {
            realParent = parent.toRealPath();
            realParents.putIfAbsent(parent, realParent);
        }
        return realParent.resolve(name);
    }

    private static <T extends SecureDirectoryStream<Path>> T push(List<SecureDirectoryStream<Path>> open, T s) {
        open.add(s);
        return s;
    }

    private static void closeAll(List<SecureDirectoryStream<Path>> open) throws IOException {
        IOException first = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static PosixFileAttributes attrs(SecureDirectoryStream<Path> dir, String name) throws IOException {
        try {
            return dir.getFileAttributeView(Path.of(name), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static byte[] readAll(SecureDirectoryStream<Path> dir, String name) throws IOException {
        try (SeekableByteChannel ch = dir.newByteChannel(Path.of(name),
                Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            long size = ch.size();
            if (size > 64L * 1024 * 1024) {
                throw new IOException(name + " is larger than 64 MiB; refusing to load it");
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    break; // shrank while reading: take what is there
                }
            }
            return java.util.Arrays.copyOf(buf.array(), buf.position());
        }
    }

    private void checkRegular(PosixFileAttributes a, Path base, String[] parts) throws UnsafePathException {
        if (a.isSymbolicLink()) {
            throw new UnsafePathException(paths.hostPath(base.resolve(String.join("/", parts)))
                    + " is a symbolic link; refusing to follow it");
        }
        if (!a.isRegularFile()) {
            throw new UnsafePathException(paths.hostPath(base.resolve(String.join("/", parts)))
                    + " is not a regular file");
        }
    }

    private String describe(Path base, String[] parts, int upTo) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i <= upTo; i++) {
            sb.append(i == 0 ? "" : "/").append(parts[i]);
        }
        return paths.hostPath(base.resolve(sb.toString()));
    }

    private static String[] split(String relative) {
        if (relative.isEmpty() || relative.startsWith("/")) {
            throw new IllegalArgumentException("expected a relative path, got '" + relative + "'");
        }
        String[] parts = relative.split("/");
        for (String p : parts) {
            if (p.isEmpty() || p.equals(".") || p.equals("..")) {
                throw new IllegalArgumentException("bad path component in '" + relative + "'");
            }
        }
        return parts;
    }

    static String modeString(int mode) {
        return String.format("%04o", mode);
    }

    /** Makes a rename durable; some file systems refuse to fsync a directory, which is then best-effort. */
    public static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException ignored) {
            // not supported here: the rename is still atomic, only its durability on power loss is weaker
        }
    }
}
