package dev.keyward.agent.usage;

import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.ca.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads sshd's entries from journald: runs the configured command (default
 * {@code journalctl -o json --no-pager -t sshd -t sshd-session}) with {@code --after-cursor} of the last entry
 * read, one JSON object per line. The message, PID and time come from the entry's {@code MESSAGE}, {@code _PID}
 * and {@code __REALTIME_TIMESTAMP}; the event id is a digest of its {@code __CURSOR}, stable across re-reads.
 */
public final class JournalSource {
    private final List<String> command;
    private final SshdMessage parser;

    public JournalSource(List<String> command, SshdMessage parser) {
        this.command = List.copyOf(command);
        this.parser = parser;
    }

    public record Result(List<UsageEvent> events, String cursor, long entries) {
    }

    /** Reads the entries after {@code cursor} (all retained ones when null). */
    public Result read(String cursor) throws IOException {
        List<String> cmd = new ArrayList<>(command);
        if (cursor != null) {
            cmd.add("--after-cursor=" + cursor);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8),
                1 << 16)) {
            Result res = parse(r, cursor);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd.get(0) + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue());
            }
            return res;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Parses journal JSON lines (also used on captured {@code journalctl -o json} output in tests). */
    public Result parse(BufferedReader r, String cursor) throws IOException {
        EventAssembler asm = new EventAssembler();
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        long n = 0;
        for (String line; (line = r.readLine()) != null; ) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> e = Json.parseObject(line.getBytes(StandardCharsets.UTF_8));
            n++;
            String c = e.get("__CURSOR") instanceof String s ? s : null;
            if (c != null) {
                cursor = c;
            }
            String msg = message(e.get("MESSAGE"));
            if (msg == null) {
                continue;
            }
            int pid = (int) number(e.get("_PID"), number(e.get("SYSLOG_PID"), -1));
            long micros = number(e.get("__REALTIME_TIMESTAMP"), System.currentTimeMillis() * 1000);
            LogLine l = parser.parse(msg, pid, micros / 1_000_000);
            if (l != null) {
                sha.reset();
                String id = HexFormat.of().formatHex(sha.digest(("journal:" + c + ":" + msg)
                        .getBytes(StandardCharsets.UTF_8)), 0, 16);
                asm.accept(l, id);
            }
        }
        return new Result(asm.finish(), cursor, n);
    }

    /** journald gives MESSAGE as a string, or as an array of bytes when it is not valid UTF-8. */
    private static String message(Object m) {
        if (m == null) {
            return null;
        }
        if (m instanceof List<?> l) {
            byte[] b = new byte[l.size()];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) number(l.get(i), 0);
            }
            return new String(b, StandardCharsets.ISO_8859_1);
        }
        return m instanceof String s ? s : null;
    }

    /** journald writes numbers as strings ({@code "_PID":"1234"}); either form, else {@code dflt}. */
    private static long number(Object v, long dflt) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }
}
