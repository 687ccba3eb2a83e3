package dev.keyward.web.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.keyward.web.testing.Api;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * sshd's RevokedKeys file, kept current from {@code GET /api/v1/krl} the way a host agent would: conditional GET
 * with the last ETag, and on 200 the new bytes written to a temp file in the same directory, fsynced and renamed
 * over the old one. sshd refuses every public-key login while that file is missing or corrupt, so it is never
 * written in place.
 */
final class KrlFile {
    private final Api api;
    private final Path file;
    private String etag;

    KrlFile(Api api, Path file) {
        this.api = api;
        this.file = file;
    }

    Path path() {
        return file;
    }

    String etag() {
        return etag;
    }

    /** Fetches the KRL; installs it and returns true on 200, returns false on 304 (nothing changed). */
    boolean refresh() throws IOException {
        Api.Resp r = etag == null ? api.get("/api/v1/krl", null)
                : api.get("/api/v1/krl", null, Map.of("If-None-Match", etag));
        if (r.status() == 304) {
            assertEquals(etag, r.header("ETag"), "a 304 repeats the current ETag");
            return false;
        }
        assertEquals(200, r.status(), r.toString());
        assertEquals("application/octet-stream", r.contentType());
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName() + ".", ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(r.bytes()));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        etag = r.header("ETag");
        return true;
    }
}
