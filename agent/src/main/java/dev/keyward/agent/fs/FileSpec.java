package dev.keyward.agent.fs;

/**
 * How a managed file is to be written.
 *
 * @param uid       owner of the file (and of directories the writer creates); -1 keeps the writer's own
 * @param gid       group, likewise
 * @param mode      permission bits of a new file, e.g. {@code 0600}
 * @param allowed   bits an existing file may keep (e.g. {@code 0755}: the user may make it 0644, not group
 *                  writable); an existing file with other bits is repaired to {@code mode & allowed}
 * @param dirMode   permission bits of directories the writer creates or repairs, e.g. {@code 0700}
 * @param fixDirs   how many directories directly above the file the writer owns: it creates them if missing
 *                  and repairs their owner and mode (e.g. 1 for {@code ~/.ssh}); higher directories are only
 *                  checked
 * @param backup    keep the previous content as {@code <file>.keyward-bak}
 */
public record FileSpec(int uid, int gid, int mode, int allowed, int dirMode, int fixDirs, boolean backup) {
    public FileSpec {
        if ((mode & ~0777) != 0 || (dirMode & ~0777) != 0 || (allowed & ~0777) != 0 || (mode & ~allowed) != 0) {
            throw new IllegalArgumentException("mode out of range");
        }
    }

    /** A file root owns and sshd reads: exactly {@code mode}, directories 0755. */
    public static FileSpec rootOwned(int mode, int fixDirs) {
        return new FileSpec(0, 0, mode, mode, 0755, fixDirs, true);
    }

    /** An account's own {@code ~/.ssh/authorized_keys}: new files 0600, {@code ~/.ssh} 0700, never g/o writable. */
    public static FileSpec userAuthorizedKeys(int uid, int gid) {
        return new FileSpec(uid, gid, 0600, 0755, 0700, 1, true);
    }
}
