package dev.keyward.agent.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.testing.TestRoot;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeFilesTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void writesFileWithModeOwnerAndOneBackup() throws Exception {
        TestRoot t = new TestRoot(tmp);
        int uid = t.account("alice");
        SafeFiles f = new SafeFiles(new AgentPaths(tmp), false, ChangeSink.quiet());
        FileSpec spec = FileSpec.userAuthorizedKeys(uid, uid);
        assertTrue(f.write(t.home("alice"), ".ssh/authorized_keys", b("one\n"), spec));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.userFile("alice"))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.home("alice").resolve(".ssh"))));
        if (Ownership.canChown()) {
            assertEquals(uid, Ownership.uidOf(t.userFile("alice")));
            assertEquals(uid, Ownership.uidOf(t.home("alice").resolve(".ssh")));
        }
        assertTrue(f.write(t.home("alice"), ".ssh/authorized_keys", b("two\n"), spec));
        assertTrue(f.write(t.home("alice"), ".ssh/authorized_keys", b("three\n"), spec));
        assertEquals("three\n", Files.readString(t.userFile("alice")));
        assertEquals("two\n", Files.readString(t.home("alice").resolve(".ssh/authorized_keys.keyward-bak")));
        assertFalse(f.write(t.home("alice"), ".ssh/authorized_keys", b("three\n"), spec), "same content: no change");
        try (var s = Files.list(t.home("alice").resolve(".ssh"))) {
            assertEquals(2, s.count(), "no temp files left behind");
        }
    }

    @Test
    void refusesSymlinkedTargetAndLeavesItsDestinationAlone() throws Exception {
        TestRoot t = new TestRoot(tmp);
        int uid = t.account("mallory");
        Path victim = Files.writeString(tmp.resolve("etc/shadow-like"), "secret\n");
        Files.createDirectories(t.home("mallory").resolve(".ssh"));
        Files.createSymbolicLink(t.userFile("mallory"), victim);
        SafeFiles f = new SafeFiles(new AgentPaths(tmp), false, ChangeSink.quiet());
        UnsafePathException e = assertThrows(UnsafePathException.class, () ->
                f.write(t.home("mallory"), ".ssh/authorized_keys", b("key\n"), FileSpec.userAuthorizedKeys(uid, uid)));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("secret\n", Files.readString(victim));
        assertThrows(UnsafePathException.class, () -> f.read(t.home("mallory"), ".ssh/authorized_keys"));
    }

    @Test
    void refusesSymlinkedParentDirectory() throws Exception {
        TestRoot t = new TestRoot(tmp);
        int uid = t.account("mallory");
        Path elsewhere = Files.createDirectories(tmp.resolve("etc/cron.d"));
        Files.createSymbolicLink(t.home("mallory").resolve(".ssh"), elsewhere);
        SafeFiles f = new SafeFiles(new AgentPaths(tmp), false, ChangeSink.quiet());
        assertThrows(UnsafePathException.class, () ->
                f.write(t.home("mallory"), ".ssh/authorized_keys", b("key\n"), FileSpec.userAuthorizedKeys(uid, uid)));
        try (var s = Files.list(elsewhere)) {
            assertEquals(0, s.count(), "nothing written through the link");
        }
    }

    @Test
    void repairsGroupAndWorldWritableModes() throws Exception {
        TestRoot t = new TestRoot(tmp);
        int uid = t.account("bob");
        Path ssh = Files.createDirectories(t.home("bob").resolve(".ssh"));
        Files.writeString(t.userFile("bob"), "k\n");
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(t.userFile("bob"), PosixFilePermissions.fromString("rw-rw-rw-"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeFiles f = new SafeFiles(new AgentPaths(tmp), false, new ChangeSink(new PrintStream(out, true), false));
        assertTrue(f.write(t.home("bob"), ".ssh/authorized_keys", b("k\n"), FileSpec.userAuthorizedKeys(uid, uid)));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(ssh)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.userFile("bob"))));
        assertEquals("k\n", Files.readString(t.userFile("bob")));
        assertTrue(out.toString().contains("repaired /home/bob/.ssh/authorized_keys"), out.toString());
    }

    @Test
    void warnsAboutGroupWritableHomeItDoesNotOwn() throws Exception {
        TestRoot t = new TestRoot(tmp);
        int uid = t.account("carol");
        Files.setPosixFilePermissions(t.home("carol"), PosixFilePermissions.fromString("rwxrwxr-x"));
        SafeFiles f = new SafeFiles(new AgentPaths(tmp), false, ChangeSink.quiet());
        f.write(t.home("carol"), ".ssh/authorized_keys", b("k\n"), FileSpec.userAuthorizedKeys(uid, uid));
        assertEquals(1, f.warnings().size());
        assertTrue(f.warnings().get(0).startsWith("/home/carol is group or world writable"), f.warnings().get(0));
        assertEquals("rwxrwxr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(t.home("carol"))));
    }

    @Test
    void dryRunPrintsUnifiedDiffAndWritesNothing() throws Exception {
        TestRoot t = new TestRoot(tmp);
        int uid = t.account("dave");
        Files.createDirectories(t.home("dave").resolve(".ssh"));
        Files.writeString(t.userFile("dave"), "a\nb\nc\n");
        Map<String, String> before = t.snapshot();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeFiles f = new SafeFiles(new AgentPaths(tmp), true, new ChangeSink(new PrintStream(out, true), true));
        assertTrue(f.write(t.home("dave"), ".ssh/authorized_keys", b("a\nc\nd\n"), FileSpec.userAuthorizedKeys(uid, uid)));
        assertTrue(f.writeSystemFile("/etc/ssh/keyward/trusted_user_ca_keys", b("ca\n"), FileSpec.rootOwned(0644, 1)));
        assertEquals(before, t.snapshot());
        assertEquals("""
                --- a/home/dave/.ssh/authorized_keys
                +++ b/home/dave/.ssh/authorized_keys
                @@ -1,3 +1,3 @@
                 a
                -b
                 c
                +d
                --- /dev/null
                +++ b/etc/ssh/keyward/trusted_user_ca_keys
                @@ -0,0 +1 @@
                +ca
                # /etc/ssh/keyward/trusted_user_ca_keys: would create /etc/ssh/keyward
                """, out.toString());
    }

    @Test
    void deleteKeepsBackupAndRefusesSymlink() throws Exception {
        TestRoot t = new TestRoot(tmp);
        SafeFiles f = new SafeFiles(new AgentPaths(tmp), false, ChangeSink.quiet());
        f.writeSystemFile("/etc/ssh/keyward/authorized_keys/x", b("k\n"), FileSpec.rootOwned(0644, 2));
        assertTrue(f.deleteSystemFile("/etc/ssh/keyward/authorized_keys/x", FileSpec.rootOwned(0644, 2)));
        assertFalse(Files.exists(t.keywardFile("x")));
        assertArrayEquals(b("k\n"), Files.readAllBytes(tmp.resolve("etc/ssh/keyward/authorized_keys/x.keyward-bak")));
        Files.createSymbolicLink(t.keywardFile("y"), tmp.resolve("etc/passwd"));
        assertThrows(UnsafePathException.class, () ->
                f.deleteSystemFile("/etc/ssh/keyward/authorized_keys/y", FileSpec.rootOwned(0644, 2)));
        assertTrue(Files.exists(tmp.resolve("etc/passwd")));
    }
}
