package dev.keyward.agent.inventory;

import dev.keyward.agent.accounts.Account;
import dev.keyward.agent.accounts.Passwd;
import dev.keyward.agent.config.AgentPaths;
import dev.keyward.agent.fs.SafeFiles;
import dev.keyward.agent.keys.KeyLine;
import dev.keyward.agent.keys.RawLines;
import dev.keyward.agent.protocol.InventoryKey;
import dev.keyward.agent.protocol.InventoryReport;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Scans the host: for every account of {@code /etc/passwd}, its {@code ~/.ssh/authorized_keys} (source
 * {@code user}) and {@code /etc/ssh/keyward/authorized_keys/<account>} (source {@code keyward}). Files are read
 * without following links; an unsafe one is skipped with a warning. The hash is SHA-256 (hex) of the JSON of the
 * key list, so it changes exactly when the report would.
 */
public final class Inventory {
    private final SafeFiles files;
    private final Passwd passwd;
    private final List<String> warnings = new ArrayList<>();

    public Inventory(SafeFiles files, Passwd passwd) {
        this.files = files;
        this.passwd = passwd;
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    public InventoryReport scan() throws IOException {
        // accounts are independent: scanned on two threads, gathered in /etc/passwd order (the report and its
        // hash are the same as one thread's)
        List<AccountScan> scans = dev.keyward.agent.sync.Parallel.map(List.copyOf(passwd.all()), this::scan, 2);
        List<InventoryKey> keys = new ArrayList<>();
        for (AccountScan s : scans) {
            keys.addAll(s.keys());
            warnings.addAll(s.warnings());
        }
        List<InventoryKey> sorted = List.copyOf(keys);
        byte[] json = new JsonWriter(sorted.size() * 256 + 2).any(sorted).toBytes();
        return new InventoryReport(Sha256.hex(json), sorted);
    }

    private record AccountScan(List<InventoryKey> keys, List<String> warnings) {
    }

    private AccountScan scan(Account a) {
        List<InventoryKey> keys = new ArrayList<>();
        List<String> warns = new ArrayList<>(0);
        Path home = files.paths().resolve(a.home());
        if (!a.home().equals("/")) { // a missing home reads as no file (and the sync's read of it is reused)
            String host = (a.home().endsWith("/") ? a.home() : a.home() + "/") + ".ssh/authorized_keys";
            try {
                add(keys, a.name(), host, "user", files.read(home, ".ssh/authorized_keys"));
            } catch (IOException e) {
                warns.add("inventory skipped " + host + ": " + e.getMessage());
            }
        }
        String kw = AgentPaths.KEYWARD_AUTHORIZED_KEYS_DIR + "/" + a.name();
        try {
            add(keys, a.name(), kw, "keyward", files.readSystemFile(kw));
        } catch (IOException e) {
            warns.add("inventory skipped " + kw + ": " + e.getMessage());
        }
        return new AccountScan(keys, warns);
    }

    private static void add(List<InventoryKey> out, String account, String file, String source,
            Optional<byte[]> content) {
        if (content.isEmpty()) {
            return;
        }
        int n = 0;
        for (RawLines.Line l : RawLines.split(content.get())) {
            n++;
            Optional<KeyLine> k;
            try {
                k = KeyLine.parse(l.utf8());
            } catch (InvalidInputException e) {
                continue; // not a key line sshd could use either
            }
            if (k.isPresent()) {
                KeyLine key = k.get();
                out.add(new InventoryKey(account, file, n, source, key.type(), key.bits(), key.fingerprint(),
                        key.comment(), key.options(), key.problem()));
            }
        }
    }
}
