package dev.keyward.agent.fs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A unified-style diff of two texts, for {@code --dry-run}: {@code --- a/path}, {@code +++ b/path}, and hunks
 * with three lines of context. The middle part that differs is aligned with a longest-common-subsequence table;
 * past {@link #MAX_CELLS} cells it is shown as removed-then-added, which is still exact, only less compact.
 */
public final class UnifiedDiff {
    static final long MAX_CELLS = 4_000_000;
    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    /** {@code before} or {@code after} null means the file does not exist on that side. */
    public static String diff(String path, String before, String after) {
        List<String> a = lines(before);
        List<String> b = lines(after);
        List<Op> ops = align(a, b);
        StringBuilder sb = new StringBuilder();
        sb.append("--- ").append(before == null ? "/dev/null" : "a" + path).append('\n');
        sb.append("+++ ").append(after == null ? "/dev/null" : "b" + path).append('\n');
        int n = ops.size();
        int i = 0;
        while (i < n) {
            if (ops.get(i).kind() == ' ') {
                i++;
                continue;
            }
            int start = Math.max(0, i - CONTEXT);
            // one hunk holds changes that are at most 2*CONTEXT unchanged lines apart
            int lastChange = i;
            for (int j = i; j < n; j++) {
                if (ops.get(j).kind() != ' ') {
                    lastChange = j;
                } else if (j - lastChange > 2 * CONTEXT) {
                    break;
                }
            }
            int end = Math.min(n - 1, lastChange + CONTEXT);
            int aStart = -1;
            int bStart = -1;
            int aLen = 0;
            int bLen = 0;
            StringBuilder body = new StringBuilder();
            for (int j = start; j <= end; j++) {
                Op op = ops.get(j);
                int ai = op.a();
                int bi = op.b();
                if (op.kind() == ' ') {
                    if (aStart < 0) aStart = ai;
                    if (bStart < 0) bStart = bi;
                    aLen++;
                    bLen++;
                    body.append(' ').append(a.get(ai)).append('\n');
                } else if (op.kind() == '-') {
                    if (aStart < 0) aStart = ai;
                    aLen++;
                    body.append('-').append(a.get(ai)).append('\n');
                } else {
                    if (bStart < 0) bStart = bi;
                    bLen++;
                    body.append('+').append(b.get(bi)).append('\n');
                }
            }
            sb.append("@@ -").append(range(aStart, aLen, ops, start, true)).append(" +")
                    .append(range(bStart, bLen, ops, start, false)).append(" @@\n").append(body);
            i = end + 1;
        }
        return sb.toString();
    }

    private static String range(int startIdx, int len, List<Op> ops, int hunkStart, boolean left) {
        if (len == 0) {
            // position just before the hunk, as diff -u prints it
            int pos = 0;
            for (int j = 0; j < hunkStart; j++) {
                char k = ops.get(j).kind();
                if (k == ' ' || (left ? k == '-' : k == '+')) {
                    pos++;
                }
            }
            return pos + ",0";
        }
        return (startIdx + 1) + (len == 1 ? "" : "," + len);
    }

    static List<String> lines(String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return Arrays.asList(t.split("\n", -1));
    }

    /** One diff line: ' ' kept, '-' removed, '+' added; {@code a} and {@code b} index the two sides. */
    private record Op(char kind, int a, int b) {
    }

    private static Op op(char kind, int ai, int bi) {
        return new Op(kind, ai, bi);
    }

    private static List<Op> align(List<String> a, List<String> b) {
        int pre = 0;
        while (pre < a.size() && pre < b.size() && a.get(pre).equals(b.get(pre))) {
            pre++;
        }
        int suf = 0;
        while (suf < a.size() - pre && suf < b.size() - pre
                && a.get(a.size() - 1 - suf).equals(b.get(b.size() - 1 - suf))) {
            suf++;
        }
        List<Op> ops = new ArrayList<>();
        for (int k = 0; k < pre; k++) {
            ops.add(op(' ', k, k));
        }
        int n = a.size() - pre - suf;
        int m = b.size() - pre - suf;
        if ((long) n * m <= MAX_CELLS && n > 0 && m > 0) {
            int[][] lcs = new int[n + 1][m + 1];
            for (int x = n - 1; x >= 0; x--) {
                for (int y = m - 1; y >= 0; y--) {
                    lcs[x][y] = a.get(pre + x).equals(b.get(pre + y)) ? lcs[x + 1][y + 1] + 1
                            : Math.max(lcs[x + 1][y], lcs[x][y + 1]);
                }
            }
            int x = 0;
            int y = 0;
            while (x < n || y < m) {
                if (x < n && y < m && a.get(pre + x).equals(b.get(pre + y))) {
                    ops.add(op(' ', pre + x, pre + y));
                    x++;
                    y++;
                } else if (y < m && (x == n || lcs[x][y + 1] >= lcs[x + 1][y])) {
                    ops.add(op('+', pre + x, pre + y));
                    y++;
                } else {
                    ops.add(op('-', pre + x, pre + y));
                    x++;
                }
            }
        } else {
            for (int x = 0; x < n; x++) {
                ops.add(op('-', pre + x, pre));
            }
            for (int y = 0; y < m; y++) {
                ops.add(op('+', pre + n, pre + y));
            }
        }
        for (int k = 0; k < suf; k++) {
            ops.add(op(' ', a.size() - suf + k, b.size() - suf + k));
        }
        return ops;
    }
}
