package dev.keyward.agent.usage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Follows sshd's log file from a saved {@link ReadPosition}, surviving:
 * <ul>
 * <li><b>rotation</b> (the file is renamed and a new one created; the inode changes): the rest of the old file is
 * read first, found by its inode among the siblings ({@code auth.log.1}, ...), then the new file from the start;</li>
 * <li><b>truncation</b> (copytruncate; same inode, size below the offset): read again from the start.</li>
 * </ul>
 * Only whole lines are consumed: a line still being written is read next time. Reading uses one large buffer and
 * {@link LogScanner}, so most bytes are skipped, not parsed. Every event id names the file identity, generation
 * and offset of its line plus a CRC-32C of the line's bytes: re-reading after a crash yields the same ids, which
 * the server dedupes, and a line that replaced another at the same offset gets a different one.
 */
public final class FileFollower {
    static final int BUFFER = 4 * 1024 * 1024;

    private final Path file;
    private final SshdMessage parser;
    private final WriterCheck check;

    /** Takes every sshd-looking line as sshd's ({@code parse-log}: the file may come from another host). */
    public FileFollower(Path file, SshdMessage parser) {
        this(file, parser, null);
    }

    /** With {@code check}, lines whose PID is a live process other than sshd are flagged, not reported. */
    public FileFollower(Path file, SshdMessage parser, WriterCheck check) {
        this.file = file;
        this.parser = parser;
        this.check = check;
    }

    /**
     * Where the next read starts, how much was read, what happened (rotation, truncation), the events, and the
     * lines flagged as not sshd's.
     */
    public record Result(java.util.List<dev.keyward.agent.protocol.UsageEvent> events, ReadPosition position,
            long bytesRead, String note, Flagged flagged) {
    }

    /** Receives events in batches of at most {@link #BATCH} while a read goes on. */
    public interface EventSink {
        void accept(java.util.List<dev.keyward.agent.protocol.UsageEvent> batch) throws IOException;
    }

    static final int BATCH = 10_000;

    /** Reads everything new and returns it (small reads and tests; {@link #read(ReadPosition, EventSink)} for big ones). */
    public Result read(ReadPosition saved) throws IOException {
        java.util.List<dev.keyward.agent.protocol.UsageEvent> all = new java.util.ArrayList<>();
        Result r = read(saved, all::addAll);
        return new Result(all, r.position(), r.bytesRead(), r.note(), r.flagged());
    }

    /**
     * Reads everything new, handing events to {@code sink} in batches as it goes (memory stays bounded however
     * much there is to read). The returned position is to be saved only after the sink has stored them all;
     * the returned result's event list is empty.
     */
    public Result read(ReadPosition saved, EventSink sink) throws IOException {
        EventAssembler asm = new EventAssembler(check);
        Map<String, Object> cur;
        try {
            cur = Files.readAttributes(file, "unix:dev,ino,size");
        } catch (NoSuchFileException e) {
            // between a rotation and the new file's creation: finish the old file if it can be found
            long n = 0;
            ReadPosition pos = saved;
            if (saved != null) {
                Path old = findByInode(saved);
                if (old != null) {
                    ReadPosition p = readFrom(old, saved, asm, sink);
                    n = p.offset() - saved.offset();
                    pos = p;
                }
            }
            sink.accept(asm.finish());
            return new Result(java.util.List.of(), pos, n, file + " does not exist", asm.flagged());
        }
        long dev = (Long) cur.get("dev");
        long ino = (Long) cur.get("ino");
        long size = (Long) cur.get("size");
        long total = 0;
        String note = "";
        ReadPosition start;
        if (saved == null) {
            start = new ReadPosition(dev, ino, 0, 0);
        } else if (saved.dev() != dev || saved.ino() != ino) {
            Path old = findByInode(saved);
            if (old != null) {
                ReadPosition p = readFrom(old, saved, asm, sink);
                total += p.offset() - saved.offset();
                note = "rotated: finished " + old.getFileName();
            } else {
                note = "rotated: the previous file is gone; its unread tail is lost";
            }
            start = new ReadPosition(dev, ino, 0, 0);
        } else if (size < saved.offset()) {
            start = new ReadPosition(dev, ino, 0, saved.generation() + 1);
            note = "truncated: reading again from the start";
        } else {
            start = saved;
        }
        ReadPosition end = readFrom(file, start, asm, sink);
        total += end.offset() - start.offset();
        sink.accept(asm.finish());
        return new Result(java.util.List.of(), end, total, note, asm.flagged());
    }

    /** Reads whole lines of {@code path} from {@code pos.offset()} to its current end. */
    private ReadPosition readFrom(Path path, ReadPosition pos, EventAssembler asm, EventSink sink)
            throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long offset = pos.offset();
            if (ch.size() < offset) {
                offset = 0; // truncated and rotated: all of it is new
            }
            byte[] buf = new byte[(int) Math.min(BUFFER, Math.max(64 * 1024, ch.size() - offset + 1))];
            byte[] spare = null; // the second buffer, for reading ahead while the other core parses
            int filled = 0;
            ch.position(offset);
            long bufStart = offset; // file offset of buf[0]
            Ids ids = new Ids(pos.dev(), pos.ino(), pos.generation());
            LogScanner.Scratch scratch = new LogScanner.Scratch();
            EventAssembler.Times times = new EventAssembler.Times();
            int n = read(ch, buf, 0);
            while (n > 0) {
                filled += n;
                int lastNl = lastNewline(buf, filled);
                if (lastNl < 0) {
                    if (filled == buf.length) {
                        // one line longer than the buffer (sshd cuts at 500 bytes): skip it whole
                        bufStart += filled;
                        filled = 0;
                    }
                    n = read(ch, buf, filled);
                    continue;
                }
                final long base = bufStart;
                final int to = lastNl + 1;
                final int rest = filled - to; // an unfinished line, read again with the next bytes
                int split = to >= PARALLEL_MIN ? splitPoint(buf, to, mainShare) : -1;
                if (split > 0) {
                    // two parts, split at a line boundary: the second is parsed on another core while this thread
                    // parses the first, then reads the next bytes into the other buffer; the assembler takes both
                    // parts' lines in file order
                    if (helper == null) {
                        helper = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                            Thread t = new Thread(r, "keyward-log-scan");
                            t.setDaemon(true);
                            return t;
                        });
                        helperParser = parser.copy();
                        helperIds = new Ids(pos.dev(), pos.ino(), pos.generation());
                        helperScratch = new LogScanner.Scratch();
                        helperTimes = new EventAssembler.Times();
                    }
                    if (spare == null) {
                        spare = new byte[buf.length];
                    }
                    final byte[] b2 = buf;
                    final boolean prebuild = !asm.checksWriters();
                    java.util.concurrent.Future<Parsed> second = helper.submit(() -> Parsed.of(b2, split, to, base,
                            helperParser, helperIds, helperScratch, helperTimes, prebuild));
                    Parsed first = Parsed.of(buf, 0, split, base, parser, ids, scratch, times, prebuild);
                    first.feed(asm);
                    System.arraycopy(buf, to, spare, 0, rest);
                    n = read(ch, spare, rest);
                    // the next split moves toward whichever thread finished first, so that both finish together
                    // (what this thread does besides parsing, reading and assembling, varies with the log and the JIT)
                    mainShare = second.isDone() ? Math.max(0.2, mainShare - 0.02) : Math.min(0.8, mainShare + 0.02);
                    try {
                        second.get().feed(asm);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("interrupted while parsing " + path);
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (e.getCause() instanceof RuntimeException re) {
                            throw re;
                        }
                        throw new IOException(e.getCause());
                    }
                    buf = spare; // the next bytes are there
                    spare = b2;
                } else {
                    LogScanner.scan(buf, 0, to, (b, s, e, failed) -> {
                        if (failed && !asm.hasPending()) {
                            return; // a Failed line only matters right after a failure it completes
                        }
                        LogLine l = parser.parse(b, s, e);
                        if (l != null) {
                            asm.accept(l, ids.of(base + s, b, s, e));
                        }
                    }, scratch);
                    System.arraycopy(buf, to, buf, 0, rest);
                    n = read(ch, buf, rest);
                }
                bufStart += to;
                filled = rest;
                if (asm.completed() >= BATCH) {
                    sink.accept(asm.drain());
                }
            }
            return new ReadPosition(pos.dev(), pos.ino(), bufStart, pos.generation());
        } finally {
            if (helper != null) {
                helper.shutdownNow();
                helper = null;
                helperParser = null;
                helperIds = null;
                helperScratch = null;
                helperTimes = null;
            }
        }
    }

    /** Reads into {@code buf[from, length)}; the count, or -1 at the end of the file. */
    private static int read(FileChannel ch, byte[] buf, int from) throws IOException {
        return ch.read(ByteBuffer.wrap(buf, from, buf.length - from));
    }

    /** The reading thread's share of a buffer parsed on two threads: adjusted after each buffer. */
    private double mainShare = 0.45;

    /** Buffers at least this full are parsed on two threads (a steady-state cycle reads far less). */
    static int PARALLEL_MIN = 1024 * 1024; // not final: tests compare both paths

    private java.util.concurrent.ExecutorService helper;
    private SshdMessage helperParser;
    private Ids helperIds;
    private LogScanner.Scratch helperScratch;
    private EventAssembler.Times helperTimes;

    /** Just after the first newline at or after {@code share} of {@code buf[0, to)}; -1 if there is none. */
    private static int splitPoint(byte[] buf, int to, double share) {
        for (int i = (int) (to * share); i < to - 1; i++) {
            if (buf[i] == '\n') {
                return i + 1;
            }
        }
        return -1;
    }

    /**
     * The candidate lines of one part of a buffer, parsed (with their ids) but not yet assembled. A
     * {@code Failed publickey} line is parsed whether or not a failure is pending (only the assembler knows);
     * {@link #feed} applies the same rule as the sequential path, so the events are the same. Accepted logins are
     * built here unless their writer is to be checked (the assembler does that, with the line's PID).
     */
    private static final class Parsed {
        /** In line order: a complete {@link UsageEvent} (accepted logins), or a {@link LogLine} and its id. */
        private final java.util.ArrayList<Object> items = new java.util.ArrayList<>();
        private final java.util.BitSet failed = new java.util.BitSet();

        static Parsed of(byte[] buf, int from, int to, long base, SshdMessage parser, Ids idGen,
                LogScanner.Scratch scratch, EventAssembler.Times times, boolean prebuildAccepted) {
            Parsed p = new Parsed();
            LogScanner.scan(buf, from, to, (b, s, e, f) -> {
                LogLine l = parser.parse(b, s, e);
                if (l == null) {
                    return;
                }
                String id = idGen.of(base + s, b, s, e);
                if (l.kind() == LogLine.Kind.ACCEPTED && prebuildAccepted) {
                    p.items.add(times.accepted(l, id)); // built here, on this part's thread
                    return;
                }
                if (f) {
                    p.failed.set(p.items.size());
                }
                p.items.add(l);
                p.items.add(id);
            }, scratch);
            return p;
        }

        void feed(EventAssembler asm) {
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof dev.keyward.agent.protocol.UsageEvent ready) {
                    asm.accept(ready);
                    continue;
                }
                boolean skip = failed.get(i) && !asm.hasPending(); // a Failed line only matters right after a
                // failure it completes
                LogLine l = (LogLine) items.get(i);
                String id = (String) items.get(++i);
                if (!skip) {
                    asm.accept(l, id);
                }
            }
        }
    }

    private static int lastNewline(byte[] buf, int filled) {
        for (int i = filled - 1; i >= 0; i--) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The rotated file with the saved inode, among the log's siblings (uncompressed ones only). */
    private Path findByInode(ReadPosition saved) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        String base = file.getFileName().toString();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, base + "*")) {
            for (Path p : ds) {
                if (p.equals(file) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino", LinkOption.NOFOLLOW_LINKS);
                if ((Long) a.get("dev") == saved.dev() && (Long) a.get("ino") == saved.ino()) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Event ids: {@code f<dev>.<ino>.<generation>.<offset>.<crc32c>}, all hex. */
    private static final class Ids {
        private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        private final byte[] id; // the prefix, then room for the two numbers
        private final int prefix;
        private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();

        Ids(long dev, long ino, long generation) {
            byte[] p = ("f" + Long.toHexString(dev) + "." + Long.toHexString(ino) + "." + Long.toHexString(generation)
                    + ".").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            this.prefix = p.length;
            this.id = java.util.Arrays.copyOf(p, p.length + 16 + 1 + 8);
        }

        String of(long offset, byte[] b, int s, int e) {
            crc.reset();
            crc.update(b, s, e - s);
            int n = hex(offset, prefix);
            id[n++] = '.';
            n = hex(crc.getValue(), n);
            return new String(id, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        }

        /** {@code Long.toHexString(v)} written at {@code at}; returns the index after it. */
        private int hex(long v, int at) {
            int digits = Math.max(1, (64 - Long.numberOfLeadingZeros(v) + 3) / 4);
            for (int k = digits - 1; k >= 0; k--) {
                id[at + k] = HEX[(int) (v & 15)];
                v >>>= 4;
            }
            return at + digits;
        }
    }
}
