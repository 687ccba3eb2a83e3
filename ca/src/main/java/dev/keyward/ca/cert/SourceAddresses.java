package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code source-address} critical option: a comma-separated list of addresses or CIDR blocks, read exactly as
 * sshd reads it. sshd checks the list with {@code addr_match_cidr_list(NULL, list)} (OpenSSH addrmatch.c, called
 * from auth-options.c) and refuses the whole certificate if any entry fails; {@link #parse} follows it rule for
 * rule:
 * <ul>
 * <li>no entry may be empty or longer than 49 characters ({@code INET6_ADDRSTRLEN + 3}), and every character must
 * be one of {@code 0-9 a-f A-F . : /} (so no host names, spaces, scope IDs or {@code !} negation);</li>
 * <li>{@code addr_pton_cidr}: the prefix after the first {@code /} is decimal digits up to {@code INT_MAX} (leading
 * zeros allowed: {@code /032} is 32); the address is whatever {@code getaddrinfo(AI_NUMERICHOST)} takes, which in
 * glibc is {@code inet_aton} for IPv4, so octal parts ({@code 0177.0.0.1} is 127.0.0.1) and shortened forms
 * ({@code 127.1} is 127.0.0.1, {@code 10.0} is 10.0.0.0) are IPv4 addresses, and {@code inet_pton} for IPv6, where
 * an embedded IPv4 part must be four plain decimal parts;</li>
 * <li>{@code masklen_valid}: the prefix is at most 32 for IPv4 and 128 for IPv6, and IPv4-mapped IPv6 addresses
 * ({@code ::ffff:10.0.0.0}) are IPv6 here, so {@code ::ffff:10.0.0.0/8} is refused (host bits set) while
 * {@code ::ffff:0:0/96} is accepted (sshd turns IPv4-mapped peers into IPv4 before matching, so such an entry matches
 * no connection);</li>
 * <li>{@code addr_host_is_all0s}: no bits may be set after the prefix.</li>
 * </ul>
 * Issuing ({@link #validate}) refuses in addition the IPv4 text sshd reads differently from the dotted decimal a
 * person means (decimal parts, left-aligned, zero-filled): {@code 010.0.0.0/8} (sshd: 8.0.0.0/8), {@code 127.1}
 * (sshd: 127.0.0.1), {@code 4294967295}. Those are the only entries sshd accepts that {@link #validate} refuses;
 * {@code 10.0/8} and {@code 0/0} mean the same both ways and are issued.
 */
public final class SourceAddresses {
    /** sshd refuses longer entries before parsing them ({@code INET6_ADDRSTRLEN + 3}, addrmatch.c). */
    static final int MAX_ENTRY_LENGTH = 46 + 3;
    private static final String VALID_CIDR_CHARS = "0123456789abcdefABCDEF.:/";

    private SourceAddresses() {
    }

    /**
     * One entry as sshd reads it: the network address (4 or 16 bytes), the prefix length, and whether sshd's reading
     * is the one a person means (false only for IPv4 text sshd reads otherwise than as dotted decimal).
     */
    record Network(byte[] address, int prefix, boolean meansWhatItSays) {
    }

    /** Validates a list for issuance: sshd's rules ({@link #parse}), and IPv4 text that means what it says. */
    public static void validate(String list) {
        for (String entry : split(list)) {
            if (!parseEntry(entry).meansWhatItSays()) {
                throw new InvalidInputException("source-address '" + entry + "' is an IPv4 address that sshd reads"
                        + " otherwise than as dotted decimal (a part with a leading zero is octal: 010 is 8; 127.1 is"
                        + " 127.0.0.1): write four decimal parts without leading zeros");
            }
        }
    }

    /**
     * Parses a list exactly as sshd's {@code addr_match_cidr_list(NULL, list)} checks it; throws
     * {@link InvalidInputException} naming the first entry sshd refuses.
     */
    static List<Network> parse(String list) {
        List<Network> out = new ArrayList<>();
        for (String entry : split(list)) {
            out.add(parseEntry(entry));
        }
        return out;
    }

    private static String[] split(String list) {
        if (list.isEmpty()) {
            throw new InvalidInputException("source-address needs at least one address or CIDR block");
        }
        return list.split(",", -1); // strsep(&list, ","): every comma separates, so empty entries show
    }

    static Network parseEntry(String entry) {
        if (entry.isEmpty()) {
            throw new InvalidInputException("source-address has an empty entry");
        }
        String shown = entry.length() > 60 ? entry.substring(0, 60) + "..." : entry;
        shown = shown.replaceAll("\\p{Cntrl}", "?");
        if (entry.length() > MAX_ENTRY_LENGTH) {
            throw new InvalidInputException("source-address '" + shown + "' is longer than " + MAX_ENTRY_LENGTH
                    + " characters");
        }
        for (int i = 0; i < entry.length(); i++) {
            if (VALID_CIDR_CHARS.indexOf(entry.charAt(i)) < 0) {
                throw new InvalidInputException("source-address '" + shown + "' is not an IP address or CIDR block");
            }
        }
        // addr_pton_cidr: the prefix after the first '/', parsed by strtonum(mp, 0, INT_MAX).
        int slash = entry.indexOf('/');
        String addr = slash < 0 ? entry : entry.substring(0, slash);
        int prefix = -1;
        if (slash >= 0) {
            String p = entry.substring(slash + 1);
            if (p.isEmpty() || !p.chars().allMatch(c -> c >= '0' && c <= '9') || !fitsInt(p)) {
                throw new InvalidInputException("source-address '" + shown + "' has an invalid prefix length");
            }
            prefix = Integer.parseInt(p);
        }
        byte[] v4 = InetText.ipv4Aton(addr); // getaddrinfo tries IPv4 first; IPv6 text always has a ':'
        byte[] bytes = v4 != null ? v4 : InetText.ipv6Pton(addr);
        if (bytes == null) {
            throw new InvalidInputException("source-address '" + shown + "' is not an IP address or CIDR block");
        }
        int maxPrefix = bytes.length * 8;
        if (prefix < 0) {
            prefix = maxPrefix;
        }
        if (prefix > maxPrefix) {
            throw new InvalidInputException("source-address '" + shown + "' prefix exceeds /" + maxPrefix
                    + (bytes.length == 16 && addr.contains(".") ? " (an IPv4-mapped address is IPv6 to sshd)" : ""));
        }
        for (int bit = prefix; bit < maxPrefix; bit++) {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0) {
                throw new InvalidInputException("source-address '" + shown + "' has host bits set beyond the /"
                        + prefix + " prefix" + (bytes.length == 16 && addr.contains(".")
                                ? " (an IPv4-mapped address is IPv6 to sshd: ::ffff:10.0.0.0/104, not /8)" : ""));
            }
        }
        return new Network(bytes, prefix, v4 == null || Arrays.equals(v4, InetText.ipv4DottedDecimal(addr)));
    }

    /** strtonum(..., 0, INT_MAX) range check on a string of decimal digits (leading zeros allowed). */
    private static boolean fitsInt(String digits) {
        String s = digits.replaceFirst("^0+(?=.)", "");
        return s.length() < 10 || (s.length() == 10 && s.compareTo("2147483647") <= 0);
    }
}
