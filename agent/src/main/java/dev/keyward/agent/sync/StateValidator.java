package dev.keyward.agent.sync;

import dev.keyward.agent.protocol.AgentState;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.AuthorizedKeyLine;
import dev.keyward.agent.keys.KeyLine;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a whole desired-state document before any of it is used. One bad key, name or field rejects the
 * document: applying part of a document the server got wrong is how hosts lose keys they need. Desired keys get
 * {@link KeyLine}'s structural check and Keyward's key policy (no DSA, RSA of at least 2048 bits); the curve
 * arithmetic was done by the server when the key was registered. CA keys get the full check.
 */
public final class StateValidator {
    /** POSIX-ish account names; never '/', never a leading '-' or '.', so safe as a file name. */
    static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}");
    static final Pattern FINGERPRINT = Pattern.compile("SHA256:[A-Za-z0-9+/]{43}");
    static final Pattern SERVER_PATH = Pattern.compile("/api/[A-Za-z0-9/_.?=&-]*");
    static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    /** A desired key's {@code key}: {@code type base64}, nothing before or after. */
    static final Pattern KEY_TEXT = Pattern.compile("[^ \t]+[ \t]+[^ \t]+");

    private final PublicKeyParser parser = PublicKeyParser.withDefaults();

    public DesiredState validate(AgentState s) throws InvalidStateException {
        if (s == null) {
            throw new InvalidStateException("state document is empty");
        }
        Mode mode = Mode.fromWire(s.mode() == null ? "managed" : s.mode()).orElseThrow(() ->
                new InvalidStateException("unknown mode '" + s.mode() + "' (report-only, managed, exclusive)"));
        Map<String, DesiredState.AccountKeys> accounts = new LinkedHashMap<>();
        if (s.accounts() != null) {
            // accounts are independent: checked on two threads (a host with 10,000 accounts has 30,000 key lines),
            // gathered in document order; of several errors, the first in the document is reported
            List<Map.Entry<String, AgentState.AccountState>> entries = new ArrayList<>(s.accounts().entrySet());
            List<DesiredState.AccountKeys> checked;
            try {
                checked = Parallel.map(entries, e -> {
                    try {
                        checkAccount(e.getKey());
                        return account(e.getKey(), e.getValue());
                    } catch (InvalidStateException x) {
                        throw new Invalid(x);
                    }
                }, 2);
            } catch (Invalid x) {
                throw x.cause;
            } catch (java.io.IOException x) {
                throw new InvalidStateException(x.getMessage()); // not thrown by the checks; Parallel's signature
            }
            for (int i = 0; i < entries.size(); i++) {
                accounts.put(entries.get(i).getKey(), checked.get(i));
            }
        }
        if (s.trust() == null) {
            throw new InvalidStateException("state document has no trust section");
        }
        List<SshPublicKey> caKeys = new ArrayList<>();
        for (String line : nonNull(s.trust().userCaKeys())) {
            String checked = noNewline(line, "trust.user_ca_keys");
            caKeys.add(parse(() -> parser.parseLine(checked), "trust.user_ca_keys"));
        }
        if (s.trust().version() < 0) {
            throw new InvalidStateException("trust.version is negative");
        }
        if (s.krl() == null) {
            throw new InvalidStateException("state document has no krl section");
        }
        String krlUrl = s.krl().url() == null ? "/api/v1/krl" : s.krl().url();
        if (!SERVER_PATH.matcher(krlUrl).matches() || krlUrl.contains("..")) {
            throw new InvalidStateException("krl.url must be a path on the server under /api/, got '" + krlUrl + "'");
        }
        // krl.version is unsigned (0 to 2^64-1, as inside the KRL): the JSON reader refused anything else
        if (s.krl().sha256() != null && !HEX64.matcher(s.krl().sha256()).matches()) {
            throw new InvalidStateException("krl.sha256 must be 64 lowercase hex digits");
        }
        String certsUrl = s.hostCerts() == null || s.hostCerts().url() == null ? "/api/v1/agent/host-certs"
                : s.hostCerts().url();
        if (!SERVER_PATH.matcher(certsUrl).matches() || certsUrl.contains("..")) {
            throw new InvalidStateException("host_certs.url must be a path on the server under /api/");
        }
        return new DesiredState(mode, accounts, caKeys, s.trust().version(), s.krl().version(), krlUrl,
                s.krl().sha256(), s.hostCerts() != null && s.hostCerts().renewNow(), certsUrl);
    }

    /** Carries an {@link InvalidStateException} out of a {@link Parallel} task. */
    private static final class Invalid extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient InvalidStateException cause;

        Invalid(InvalidStateException cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }

    private DesiredState.AccountKeys account(String name, AgentState.AccountState a) throws InvalidStateException {
        if (a == null) {
            throw new InvalidStateException("account " + name + " has no content");
        }
        Map<String, Boolean> purge = new LinkedHashMap<>();
        for (AgentState.PurgeEntry p : nonNull(a.purge())) {
            if (p == null || p.fingerprint() == null || !FINGERPRINT.matcher(p.fingerprint()).matches()) {
                throw new InvalidStateException("account " + name + ": purge entry needs a SHA256:... fingerprint");
            }
            purge.merge(p.fingerprint(), p.confirmed(), Boolean::logicalOr);
        }
        List<DesiredState.Key> keys = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (AgentState.DesiredKey k : nonNull(a.keys())) {
            if (k == null) {
                throw new InvalidStateException("account " + name + ": null key");
            }
            String where = "account " + name + " key " + k.id();
            String line = lineOf(k, where);
            KeyLine parsed = parse(() -> KeyLine.parse(line, false).orElseThrow(() ->
                    new InvalidInputException("is blank or a comment")), where);
            if (!parsed.problem().isEmpty()) {
                throw new InvalidStateException(where + ": " + parsed.problem());
            }
            Instant expires = k.expiresAt() == null ? null : instant(k.expiresAt(), where);
            // duplicates by blob; the fingerprint only when there is a purge list to compare with
            if (!seen.add(new String(parsed.blob(), java.nio.charset.StandardCharsets.ISO_8859_1))
                    || (!purge.isEmpty() && purge.containsKey(KeyLine.fingerprint(parsed.blob())))) {
                continue; // purge wins over desire; first of duplicates wins
            }
            keys.add(new DesiredState.Key(k.id(), line.strip(), parsed.blob(), expires));
        }
        return new DesiredState.AccountKeys(keys, purge);
    }

    private static String lineOf(AgentState.DesiredKey k, String where) throws InvalidStateException {
        if (k.line() != null) {
            return noNewline(k.line(), where);
        }
        if (k.key() == null) {
            throw new InvalidStateException(where + ": needs 'line' or 'key'");
        }
        if (!KEY_TEXT.matcher(k.key().strip()).matches()) {
            // options or a comment inside 'key' would install other options than 'options' says
            throw new InvalidStateException(where + ": key must be 'type base64'; options and comment have fields"
                    + " of their own");
        }
        StringBuilder sb = new StringBuilder();
        List<String> options = nonNull(k.options());
        for (String option : options) {
            checkOption(option, where);
        }
        if (!options.isEmpty()) {
            sb.append(String.join(",", options)).append(' ');
        }
        sb.append(k.key().strip());
        if (k.comment() != null && !k.comment().isBlank()) {
            sb.append(' ').append(k.comment().strip());
        }
        return noNewline(sb.toString(), where);
    }

    /**
     * One option as sshd reads it ({@code name} or {@code name="value"}): joined with the others by commas, an
     * option holding an unquoted blank or comma would change what the line says, up to naming another key than
     * {@code key}.
     */
    private static void checkOption(String option, String where) throws InvalidStateException {
        if (option == null || option.isEmpty()) {
            throw new InvalidStateException(where + ": empty option");
        }
        List<String> read = new ArrayList<>();
        try {
            if (AuthorizedKeyLine.splitOptions(option, read) == option.length() && read.equals(List.of(option))) {
                return;
            }
        } catch (InvalidInputException e) {
            // an unterminated quote: refused below
        }
        throw new InvalidStateException(where + ": option '" + option + "' is not one authorized_keys option");
    }

    private static String noNewline(String s, String where) throws InvalidStateException {
        if (s == null) {
            throw new InvalidStateException(where + ": missing value");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r' || c == 0) {
                throw new InvalidStateException(where + ": contains a line break or NUL");
            }
        }
        return s;
    }

    private static String checkAccount(String name) throws InvalidStateException {
        if (name == null || !ACCOUNT.matcher(name).matches()) {
            throw new InvalidStateException("account name '" + name + "' is not a valid local account name");
        }
        return name;
    }

    private static Instant instant(String s, String where) throws InvalidStateException {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            throw new InvalidStateException(where + ": expires_at '" + s + "' is not an RFC 3339 time");
        }
    }

    private interface Parse<T> {
        T get();
    }

    private static <T> T parse(Parse<T> p, String where) throws InvalidStateException {
        try {
            return p.get();
        } catch (InvalidInputException e) {
            throw new InvalidStateException(where + ": " + e.getMessage());
        }
    }

    private static <T> List<T> nonNull(List<T> l) {
        return l == null ? List.of() : l;
    }
}
