package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;
import java.util.List;
import java.util.Set;

/**
 * Names and validation of the critical options and extensions OpenSSH defines (PROTOCOL.certkeys,
 * "Critical options" and "Extensions").
 */
public final class CertOptions {
    public static final String FORCE_COMMAND = "force-command";
    public static final String SOURCE_ADDRESS = "source-address";
    public static final String VERIFY_REQUIRED = "verify-required";

    public static final Set<String> CRITICAL_OPTIONS = Set.of(FORCE_COMMAND, SOURCE_ADDRESS, VERIFY_REQUIRED);

    /** The standard user-certificate extensions; all are flags (empty data). */
    public static final Set<String> STANDARD_EXTENSIONS = Set.of("no-touch-required", "permit-X11-forwarding",
            "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc");

    /** What {@code ssh-keygen -s} puts in a user certificate unless told otherwise. */
    public static final List<String> DEFAULT_USER_EXTENSIONS = List.of("permit-X11-forwarding",
            "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc");

    private CertOptions() {
    }

    /** Validates one critical option's name and value (empty value for flags). */
    static void checkCriticalOption(String name, String value) {
        switch (name) {
            case FORCE_COMMAND -> {
                if (value.isEmpty()) {
                    throw new InvalidInputException("force-command needs a command");
                }
                if (value.chars().anyMatch(c -> c == '\n' || c == '\r' || c == 0)) {
                    throw new InvalidInputException("force-command must be one line");
                }
            }
            case SOURCE_ADDRESS -> SourceAddresses.validate(value);
            case VERIFY_REQUIRED -> {
                if (!value.isEmpty()) {
                    throw new InvalidInputException("verify-required is a flag and takes no value");
                }
            }
            default -> throw new InvalidInputException("unknown critical option '" + name
                    + "' (sshd refuses certificates with unknown critical options); known: force-command,"
                    + " source-address, verify-required");
        }
    }

    /** Validates an extension: a standard flag, or a vendor extension {@code name@domain}. */
    static void checkExtension(String name, String value) {
        if (STANDARD_EXTENSIONS.contains(name)) {
            if (!value.isEmpty()) {
                throw new InvalidInputException("extension " + name + " is a flag and takes no value");
            }
            return;
        }
        if (name.matches("[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+")) {
            return;
        }
        throw new InvalidInputException("unknown extension '" + name + "'; standard ones: "
                + String.join(", ", new java.util.TreeSet<>(STANDARD_EXTENSIONS)) + " (or name@your.domain)");
    }
}
