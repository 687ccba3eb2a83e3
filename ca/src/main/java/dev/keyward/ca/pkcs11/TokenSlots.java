package dev.keyward.ca.pkcs11;

import dev.keyward.ca.InvalidInputException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves a token label to the slot holding it. SunPKCS11 selects tokens only by slot ID or slot list index,
 * and both change when tokens are initialised or plugged in, while the label is what an operator chose and
 * what an RFC 7512 URI carries ({@code token=}).
 * <p>
 * The module is reached through {@link Pkcs11Module}, the same initialised module SunPKCS11 uses.
 */
public final class TokenSlots {
    private TokenSlots() {
    }

    /**
     * A slot holding an initialised token.
     *
     * @param id        the slot ID (CK_SLOT_ID)
     * @param listIndex the slot's position in {@code C_GetSlotList(FALSE)}, which is what SunPKCS11's
     *                  {@code slotListIndex} means; its {@code slot} setting cannot be used, as it takes only
     *                  IDs below 2^31 and tokens such as SoftHSM2 derive IDs from serial numbers
     * @param label     the token label, without its blank padding
     */
    public record Slot(long id, int listIndex, String label) {
    }

    /** The slot whose token is labelled {@code label}; refuses an unknown label, listing the labels found. */
    public static Slot resolve(Path module, String label) {
        List<Slot> tokens = tokens(module);
        List<Slot> matches = tokens.stream().filter(s -> s.label().equals(label)).toList();
        if (matches.isEmpty()) {
            throw new InvalidInputException("no PKCS#11 token labelled '" + label + "' in " + module + "; "
                    + (tokens.isEmpty() ? "the module shows no tokens"
                            : "tokens found: " + String.join(", ", tokens.stream().map(s -> "'" + s.label() + "'").toList())));
        }
        if (matches.size() > 1) {
            throw new InvalidInputException("several PKCS#11 tokens in " + module + " are labelled '" + label
                    + "' (slots " + String.join(", ", matches.stream().map(s -> Long.toString(s.id())).toList())
                    + "); give each token a unique label");
        }
        return matches.get(0);
    }

    /** All slots of {@code module} that hold an initialised token, with the tokens' labels. */
    public static List<Slot> tokens(Path module) {
        Pkcs11Module p11 = Pkcs11Module.load(module);
        return p11.exclusive(() -> {
            List<Slot> out = new ArrayList<>();
            long[] all = p11.slotList(false);
            long[] present = p11.slotList(true);
            for (int i = 0; i < all.length; i++) {
                long id = all[i];
                if (Arrays.stream(present).noneMatch(p -> p == id)) {
                    continue;
                }
                Pkcs11Module.TokenInfo info = p11.tokenInfo(id);
                if ((info.flags() & Pkcs11Module.CKF_TOKEN_INITIALIZED) != 0) {
                    out.add(new Slot(id, i, info.label()));
                }
            }
            return out;
        });
    }
}
