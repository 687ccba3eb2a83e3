package dev.keyward.web.service;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.web.db.InventoryDao;
import dev.keyward.web.db.StorableText;
import dev.keyward.web.service.AgentReportService.InventoryIn;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules an inventory line (agent/PROTOCOL-agent.md section 6) must meet ({@code host_inventory} in
 * migrations/V2). The inventory exists to find every key on a host, rogue ones included, so a line is refused
 * only when it cannot be placed: its account, file, line number, source or fingerprint is unusable. Whatever
 * only describes the key (type, comment, options, the agent's problem) is kept, with text PostgreSQL cannot
 * store replaced by U+FFFD and the reason added to the line's {@code problem}.
 */
final class InventoryLines {
    static final Set<String> SOURCES = Set.of("user", "keyward");
    /** The {@code account} column; longer names are not real local accounts. */
    static final int MAX_ACCOUNT = 64;
    static final int MAX_FILE = 4096;
    static final int MAX_KEY_TYPE = 64;
    /** Separates options in the {@code options} column (InventoryDao); an option holding one is replaced. */
    private static final String OPTION_SEPARATOR = "\n";

    private InventoryLines() {
    }

    /** The row to store for {@code k}; {@link InvalidInputException} if the line cannot be placed. */
    static InventoryDao.Row check(long hostId, InventoryIn k) {
        String account = placed(k.account(), "account", MAX_ACCOUNT);
        if (account.chars().anyMatch(c -> Character.isISOControl(c) || c == '/')) {
            throw new InvalidInputException("account may not contain control characters or '/'");
        }
        String fp = placed(k.fingerprint(), "fingerprint", 64);
        if (!AgentReportService.FINGERPRINT.matcher(fp).matches()) {
            throw new InvalidInputException("fingerprint must be SHA256:<43 base64 characters>");
        }
        String file = placed(k.file(), "file", MAX_FILE);
        if (!file.startsWith("/")) {
            throw new InvalidInputException("file must be an absolute path");
        }
        if (k.line() == null || k.line() < 1) {
            throw new InvalidInputException("line must be a positive line number");
        }
        if (k.source() == null || !SOURCES.contains(k.source())) {
            throw new InvalidInputException("source must be user or keyward");
        }
        List<String> problems = new ArrayList<>();
        if (!AgentReportService.ACCOUNT.matcher(account).matches()) {
            // kept for the inventory, never named in a host's desired state (the agent would refuse the document)
            problems.add("account name is not one Keyward manages (1 to 32 of A-Z a-z 0-9 _ . -, not starting"
                    + " with . or -)");
        }
        String type = described(k.type(), "type", problems);
        if (type.length() > MAX_KEY_TYPE) {
            type = type.substring(0, MAX_KEY_TYPE);
            problems.add("type is longer than " + MAX_KEY_TYPE + " characters and was cut");
        }
        String comment = described(k.comment(), "comment", problems);
        List<String> options = new ArrayList<>();
        for (String o : k.options() == null ? List.<String>of() : k.options()) {
            String opt = described(o, "an option", problems);
            if (opt.contains(OPTION_SEPARATOR) || opt.contains("\r")) {
                opt = opt.replace('\n', StorableText.REPLACEMENT).replace('\r', StorableText.REPLACEMENT);
                problems.add("an option held a line break (replaced by U+FFFD)");
            }
            options.add(opt);
        }
        List<String> problem = new ArrayList<>();
        Optional.of(described(k.problem(), "problem", problems)).filter(p -> !p.isEmpty()).ifPresent(problem::add);
        problem.addAll(problems);
        return new InventoryDao.Row(hostId, account, file, k.line(), k.source(), type,
                k.bits() == null ? -1 : k.bits(), fp, comment, options, String.join("; ", problem));
    }

    /** A field that places the line: present, at most {@code max} characters, storable as it is. */
    private static String placed(String v, String field, int max) {
        if (v == null || v.isEmpty()) {
            throw new InvalidInputException(field + " is required");
        }
        if (v.length() > max) {
            throw new InvalidInputException(field + " is longer than " + max + " characters");
        }
        StorableText.problem(v).ifPresent(p -> {
            throw new InvalidInputException(field + " " + p);
        });
        return v;
    }

    /** A field that only describes the line: "" when absent, unstorable characters replaced and reported. */
    private static String described(String v, String field, List<String> problems) {
        if (v == null) {
            return "";
        }
        Optional<String> p = StorableText.problem(v);
        if (p.isEmpty()) {
            return v;
        }
        problems.add(field + " " + p.get() + " (replaced by U+FFFD)");
        return StorableText.sanitize(v);
    }
}
