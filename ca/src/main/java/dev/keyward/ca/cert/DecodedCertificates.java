package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.wire.SshReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the fields of a certificate from its serial to its reserved string (PROTOCOL.certkeys) with the rules of
 * OpenSSH's sshkey.c {@code cert_parse}, no stricter: key ID and principals are C strings (no NUL), at most
 * {@value Certificate#MAX_PRINCIPALS} principals, the type is user or host, and critical options and extensions are
 * (name, data) string pairs. Everything else Keyward would not issue is kept and listed in
 * {@link Certificate#warnings()}: text that is not UTF-8 (decoded with replacement characters), options out of order
 * or repeated (the first is kept), option data that is not one string (shown as hex), and every issuance rule broken.
 */
final class DecodedCertificates {
    private DecodedCertificates() {
    }

    static Certificate read(SshReader r, byte[] nonce, SshPublicKey subject) {
        List<String> warnings = new ArrayList<>();
        Certificate.Builder b = Certificate.builder().nonce(nonce).key(subject).serial(r.uint64("serial"))
                .type(CertType.fromCode(r.uint32("type")));
        b.keyId(text(cstring(r.string("key id"), "key ID"), "key ID", warnings));
        List<String> principals = new ArrayList<>();
        SshReader pr = r.stringReader("valid principals");
        while (pr.hasRemaining()) {
            if (principals.size() == Certificate.MAX_PRINCIPALS) {
                throw new InvalidInputException("certificate has more than " + Certificate.MAX_PRINCIPALS
                        + " principals; OpenSSH refuses it");
            }
            principals.add(text(cstring(pr.string("principal"), "principal"), "principal", warnings));
        }
        b.principals(principals);
        b.validity(r.uint64("valid after"), r.uint64("valid before"));
        options(r.stringReader("critical options"), "critical option", warnings).forEach(b::criticalOption);
        options(r.stringReader("extensions"), "extension", warnings).forEach(b::extension);
        r.string("reserved");
        return b.buildAsRead(warnings);
    }

    /** sshbuf_get_cstring: a string with a NUL inside is refused. */
    private static byte[] cstring(byte[] raw, String what) {
        for (byte c : raw) {
            if (c == 0) {
                throw new InvalidInputException("certificate " + what + " contains a NUL byte; OpenSSH refuses it");
            }
        }
        return raw;
    }

    /** UTF-8, or (with a warning) UTF-8 with replacement characters: OpenSSH does not check the encoding. */
    static String text(byte[] raw, String what, List<String> warnings) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            String shown = new String(raw, StandardCharsets.UTF_8);
            warnings.add(what + " '" + IssuanceRules.printable(shown) + "' is not valid UTF-8 (shown with"
                    + " replacement characters)");
            return shown;
        }
    }

    /** Critical options or extensions in the order found; the first of a repeated name is kept. */
    private static Map<String, String> options(SshReader r, String what, List<String> warnings) {
        Map<String, String> out = new LinkedHashMap<>();
        byte[] previous = null;
        boolean unsortedReported = false;
        while (r.hasRemaining()) {
            byte[] rawName = r.string(what + " name");
            byte[] data = r.string(what + " data");
            String name = text(rawName, what + " name", warnings);
            if (name.indexOf('\0') >= 0) {
                warnings.add(what + " name '" + IssuanceRules.printable(name) + "' contains a NUL byte; sshd"
                        + " refuses the certificate at login");
            }
            if (previous != null && Arrays.compareUnsigned(previous, rawName) > 0 && !unsortedReported) {
                warnings.add("certificate " + what + "s are not sorted by name, as PROTOCOL.certkeys requires");
                unsortedReported = true;
            }
            previous = rawName;
            String value = value(name, data, what, warnings);
            if (out.containsKey(name)) {
                warnings.add(what + " '" + IssuanceRules.printable(name) + "' appears more than once (only the first"
                        + " is shown; sshd refuses a repeated force-command or source-address)");
            } else {
                out.put(name, value);
            }
        }
        return out;
    }

    /** Empty data is a flag; otherwise the data should be exactly one string. */
    private static String value(String name, byte[] data, String what, List<String> warnings) {
        if (data.length == 0) {
            return "";
        }
        try {
            SshReader dr = new SshReader(data, what + " " + name);
            byte[] raw = dr.string("value");
            dr.expectEnd();
            if (raw.length == 0) {
                warnings.add(what + " '" + IssuanceRules.printable(name) + "' carries an empty string, not empty data"
                        + " (shown as a flag)");
            }
            return text(raw, what + " " + name + " value", warnings);
        } catch (InvalidInputException e) {
            warnings.add(what + " '" + IssuanceRules.printable(name) + "' carries data that is not one string"
                    + " (shown as hex)");
            return HexFormat.of().formatHex(data);
        }
    }
}
