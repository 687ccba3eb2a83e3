package dev.keyward.web.audit.sink;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.web.audit.Checkpoint;
import dev.keyward.web.audit.CheckpointDao;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.List;
import java.util.Optional;

/**
 * An append-only file of checkpoint lines, one per line. Each write opens the file with {@code O_APPEND} (creating
 * it 0600), writes whole lines, fsyncs and closes it, so a rotated or removed file is simply started again and
 * nothing is held open. A line left incomplete by a crash is ended first, so the next line starts on its own.
 */
public final class FileSink implements CheckpointSink {
    /** The tail read to find the last line; a checkpoint line is about 500 bytes. */
    private static final int TAIL = 16 * 1024;

    private final Path path;

    public FileSink(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public void write(List<String> lines) throws IOException {
        StringBuilder text = new StringBuilder(lines.size() * 520 + 1);
        boolean created = !Files.exists(path, LinkOption.NOFOLLOW_LINKS);
        if (!created && !endsWithNewline()) {
            text.append('\n');
        }
        for (String line : lines) {
            text.append(line).append('\n');
        }
        ByteBuffer data = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
        try (FileChannel ch = FileChannel.open(path, Set.<OpenOption>of(StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            while (data.hasRemaining()) {
                ch.write(data);
            }
            ch.force(false);
        }
        if (created) {
            AtomicFiles.fsyncDirectory(path.toAbsolutePath().getParent());
        }
    }

    private boolean endsWithNewline() throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            if (size == 0) {
                return true;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last, size - 1);
            return last.get(0) == '\n';
        }
    }

    /**
     * The last checkpoint row the file holds: its last complete checkpoint line's row, or, when the database does
     * not have that line (the file is from before a restore, or the row was deleted), the last row signed no later
     * than it; 0 for a file without one (everything is written).
     */
    @Override
    public long position(CheckpointDao dao) throws IOException {
        Optional<Checkpoint> last = lastCheckpoint();
        return last.isEmpty() ? 0 : dao.idOf(last.get()).orElseGet(() -> dao.lastIdSignedBy(last.get().time()));
    }

    /** The last complete line of the file's tail that is a well-formed checkpoint, if any. */
    Optional<Checkpoint> lastCheckpoint() throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        String tail;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            long size = ch.size();
            int n = (int) Math.min(size, TAIL);
            ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && ch.read(buf, size - n + buf.position()) > 0) {
                // read the tail whole
            }
            tail = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }
        int end = tail.lastIndexOf('\n'); // text after it is an incomplete line
        while (end > 0) {
            int start = tail.lastIndexOf('\n', end - 1) + 1;
            String line = tail.substring(start, end);
            if (Checkpoint.mentions(line)) {
                try {
                    return Optional.of(Checkpoint.parse(line));
                } catch (InvalidInputException e) {
                    // damaged (or cut at the start of the tail): look further back
                }
            }
            end = start - 1;
        }
        return Optional.empty();
    }
}
