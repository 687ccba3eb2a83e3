package dev.keyward.cli.server;

/** Text from the network or from a certificate, made safe to print on a terminal. */
public final class Printable {
    private Printable() {
    }

    /** Control characters become {@code ?}; longer than {@code max} is cut with an ellipsis. */
    public static String clean(String s, int max) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), max + 1));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
        }
        return s.length() > max ? b.append('…').toString() : b.toString();
    }
}
