package dev.keyward.agent.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.accounts.Passwd;
import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.fs.ChangeSink;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.protocol.InventoryKey;
import dev.keyward.agent.protocol.InventoryReport;
import dev.keyward.agent.testing.TestRoot;
import dev.keyward.ca.testing.Cmd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {
    @TempDir
    Path tmp;

    @Test
    void everyKeyOfEveryAccountWithWeakOnesFlaggedAndAStableHash() throws Exception {
        TestRoot t = new TestRoot(tmp);
        t.account("alice");
        t.account("svc");
        String ed = t.newKey("ed");
        Path rsa = Cmd.sshKeygen(tmp.resolve("keys"), "rsa1024", "rsa", 1024);
        String weak = Files.readString(Path.of(rsa + ".pub")).strip();
        Files.createDirectories(t.userFile("alice").getParent());
        Files.writeString(t.userFile("alice"), "# hi\nno-pty,from=\"10.0.0.0/8\" " + ed + "\n" + weak + "\n");
        Files.createDirectories(t.keywardFile("svc").getParent());
        Files.writeString(t.keywardFile("svc"), ed + "\n");
        String hash;
        try (SafeFiles files = new SafeFiles(new AgentPaths(tmp), false, ChangeSink.quiet())) {
            InventoryReport r = new Inventory(files, Passwd.read(new AgentPaths(tmp))).scan();
            List<InventoryKey> k = r.keys();
            assertEquals(3, k.size(), k.toString());
            assertEquals(new InventoryKey("alice", "/home/alice/.ssh/authorized_keys", 2, "user", "ssh-ed25519", 256,
                    k.get(0).fingerprint(), "ed", List.of("no-pty", "from=\"10.0.0.0/8\""), ""), k.get(0));
            assertEquals(Cmd.run(List.of("ssh-keygen", "-lf", rsa + ".pub")).orThrow().stdout().split(" ")[1],
                    k.get(1).fingerprint());
            assertEquals(1024, k.get(1).bits());
            assertTrue(k.get(1).problem().startsWith("RSA key is 1024 bits"), k.get(1).problem());
            assertEquals("keyward", k.get(2).source());
            assertEquals("/etc/ssh/keyward/authorized_keys/svc", k.get(2).file());
            hash = r.hash();
            assertEquals(hash, new Inventory(files, Passwd.read(new AgentPaths(tmp))).scan().hash());
            Files.writeString(t.keywardFile("svc"), "");
        }
        try (SafeFiles files = new SafeFiles(new AgentPaths(tmp), false, ChangeSink.quiet())) {
            InventoryReport again = new Inventory(files, Passwd.read(new AgentPaths(tmp))).scan();
            assertEquals(2, again.keys().size());
            assertNotEquals(hash, again.hash(), "the hash follows the content");
        }
    }
}
