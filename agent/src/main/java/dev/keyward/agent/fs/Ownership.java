package dev.keyward.agent.fs;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.EnumSet;
import java.util.Set;

/**
 * Numeric owners and modes. Accounts come from {@code <root>/etc/passwd}, which under {@code --root} need not
 * exist on the host, so owners are always numeric: the JDK's lookup service falls back to a numeric id when no
 * account has that name.
 *
 * <p>When the agent does not run as root (tests, staging), it cannot chown: {@link #canChown()} is false, the
 * writer skips chown, and sshd's owner rule is relaxed to also accept files owned by the agent's own uid.
 */
public final class Ownership {
    private static final UserPrincipalLookupService LOOKUP = FileSystems.getDefault().getUserPrincipalLookupService();
    private static final int SELF_UID = selfUid();

    private Ownership() {
    }

    public static int selfUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    public static int effectiveUid() {
        return SELF_UID;
    }

    public static boolean canChown() {
        return SELF_UID == 0;
    }

    /** sshd's StrictModes owner rule: root or the account; relaxed to the agent's own uid when not root. */
    public static boolean acceptableOwner(int owner, int accountUid) {
        return owner == 0 || owner == accountUid || (!canChown() && owner == SELF_UID);
    }

    /** Each lookup goes through NSS (reading /etc/passwd or asking nscd): cached, as a cycle chowns thousands. */
    private static final java.util.concurrent.ConcurrentHashMap<Integer, UserPrincipal> USERS =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.ConcurrentHashMap<Integer, GroupPrincipal> GROUPS =
            new java.util.concurrent.ConcurrentHashMap<>();

    public static UserPrincipal user(int uid) throws IOException {
        UserPrincipal u = USERS.get(uid);
        if (u == null) {
            u = LOOKUP.lookupPrincipalByName(Integer.toString(uid));
            USERS.putIfAbsent(uid, u);
        }
        return u;
    }

    public static GroupPrincipal group(int gid) throws IOException {
        GroupPrincipal g = GROUPS.get(gid);
        if (g == null) {
            g = LOOKUP.lookupPrincipalByGroupName(Integer.toString(gid));
            GROUPS.putIfAbsent(gid, g);
        }
        return g;
    }

    public static int uidOf(Path p) throws IOException {
        return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    }

    public static int modeOf(Path p) throws IOException {
        return ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
    }

    public static Set<PosixFilePermission> perms(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
                PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < 9; bit++) {
            if ((mode & (1 << bit)) != 0) {
                s.add(order[bit]);
            }
        }
        return s;
    }

    public static int mode(Set<PosixFilePermission> perms) {
        int m = 0;
        for (PosixFilePermission p : perms) {
            m |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return m;
    }
}
