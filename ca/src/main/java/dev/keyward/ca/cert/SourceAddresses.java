package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Validation of the {@code source-address} critical option: a comma-separated list of addresses or CIDR
 * blocks (IPv4 or IPv6), as sshd's addr_match_cidr_list() accepts them. Host names are not allowed.
 */
public final class SourceAddresses {
    private SourceAddresses() {
    }

    public static void validate(String list) {
        if (list.isEmpty()) {
            throw new InvalidInputException("source-address needs at least one address or CIDR block");
        }
        for (String entry : list.split(",", -1)) {
            validateOne(entry);
        }
    }

    static void validateOne(String entry) {
        if (entry.isEmpty()) {
            throw new InvalidInputException("source-address has an empty entry");
        }
        String addr = entry;
        int prefix = -1;
        int slash = entry.indexOf('/');
        if (slash >= 0) {
            addr = entry.substring(0, slash);
            String p = entry.substring(slash + 1);
            if (!p.matches("[0-9]{1,3}")) {
                throw new InvalidInputException("source-address '" + entry + "' has an invalid prefix length");
            }
            prefix = Integer.parseInt(p);
        }
        boolean v4 = addr.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
        boolean v6 = addr.contains(":") && addr.matches("[0-9A-Fa-f:.]+");
        if (!v4 && !v6) {
            throw new InvalidInputException("source-address '" + entry + "' is not an IP address or CIDR block");
        }
        byte[] bytes;
        try {
            if (v4) {
                for (String octet : addr.split("\\.")) {
                    if (Integer.parseInt(octet) > 255) {
                        throw new InvalidInputException("source-address '" + entry + "' has an octet over 255");
                    }
                }
            }
            bytes = InetAddress.getByName(addr).getAddress(); // literal only: no DNS for these patterns
        } catch (UnknownHostException e) {
            throw new InvalidInputException("source-address '" + entry + "' is not a valid IP address");
        }
        int maxPrefix = bytes.length * 8;
        if (prefix > maxPrefix) {
            throw new InvalidInputException("source-address '" + entry + "' prefix exceeds /" + maxPrefix);
        }
        if (prefix >= 0) {
            // sshd refuses CIDR blocks with host bits set (addr_match_cidr_list: "invalid CIDR")
            for (int bit = prefix; bit < maxPrefix; bit++) {
                if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0) {
                    throw new InvalidInputException("source-address '" + entry
                            + "' has host bits set beyond the /" + prefix + " prefix");
                }
            }
        }
    }
}
