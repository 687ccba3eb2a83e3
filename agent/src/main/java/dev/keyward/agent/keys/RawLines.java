package dev.keyward.agent.keys;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A file split into lines with their terminators kept, so that dropping some lines and joining the rest gives
 * back every other byte unchanged (CRLF, a missing final newline, trailing blanks and all). Bytes map 1:1 to
 * chars (ISO-8859-1), so even invalid UTF-8 survives; {@link Line#utf8()} decodes a line for display.
 */
public final class RawLines {
    private RawLines() {
    }

    /** One line: its text without the terminator, and the terminator as found ("\n", "\r\n" or ""). */
    public record Line(String text, String terminator) {
        public String full() {
            return text + terminator;
        }

        public String utf8() {
            return new String(text.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }
    }

    public static List<Line> split(byte[] content) {
        String s = new String(content, StandardCharsets.ISO_8859_1);
        List<Line> out = new ArrayList<>();
        int start = 0;
        while (start < s.length()) {
            int nl = s.indexOf('\n', start);
            if (nl < 0) {
                out.add(new Line(s.substring(start), ""));
                break;
            }
            boolean cr = nl > start && s.charAt(nl - 1) == '\r';
            out.add(new Line(s.substring(start, cr ? nl - 1 : nl), cr ? "\r\n" : "\n"));
            start = nl + 1;
        }
        return out;
    }

    public static byte[] join(List<Line> lines) {
        StringBuilder sb = new StringBuilder();
        for (Line l : lines) {
            sb.append(l.text()).append(l.terminator());
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
