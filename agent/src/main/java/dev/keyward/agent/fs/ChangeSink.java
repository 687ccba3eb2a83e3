package dev.keyward.agent.fs;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Prints the changes of a cycle as they happen: a unified-style diff in dry-run, one line each otherwise. Nothing
 * is kept (a first cycle on a large host changes 10,000 files).
 */
public final class ChangeSink {
    private final PrintStream out;
    private final boolean diff;

    public ChangeSink(PrintStream out, boolean diff) {
        this.out = out;
        this.diff = diff;
    }

    /** A sink that records but prints nothing. */
    public static ChangeSink quiet() {
        return new ChangeSink(null, false);
    }

    public void record(FileChange change) {
        if (out == null) {
            return;
        }
        synchronized (out) {
            if (diff && (binary(change.before()) || binary(change.after()))) {
                out.println("Binary file " + change.hostPath() + " " + (change.after() == null ? "removed"
                        : change.before() == null ? "created (" + change.after().length + " bytes)"
                        : "changed (" + change.before().length + " -> " + change.after().length + " bytes)"));
            } else if (diff) {
                out.print(UnifiedDiff.diff(change.hostPath(), text(change.before()), text(change.after())));
                if (!change.note().isEmpty()) {
                    out.println("# " + change.hostPath() + ": " + change.note());
                }
            } else {
                String what = change.after() == null ? "removed"
                        : change.before() == null ? "created" : change.contentChanged() ? "updated" : "repaired";
                out.println(what + " " + change.hostPath() + (change.note().isEmpty() ? "" : " (" + change.note() + ")"));
            }
        }
    }

    private static boolean binary(byte[] b) {
        if (b == null) {
            return false;
        }
        for (byte x : b) {
            if (x == 0) {
                return true;
            }
        }
        return false;
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }
}
