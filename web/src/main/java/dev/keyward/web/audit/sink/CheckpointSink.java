package dev.keyward.web.audit.sink;

import dev.keyward.web.audit.CheckpointDao;
import java.io.IOException;
import java.util.List;

/** A place outside the database that receives every checkpoint line. */
public interface CheckpointSink extends AutoCloseable {
    /** For logs and metrics: {@code file}, {@code syslog}. */
    String kind();

    /** For logs: the file or the collector. */
    String describe();

    /** Writes {@code lines} (checkpoint lines without line breaks), durably where the sink can. */
    void write(List<String> lines) throws IOException;

    /** The id of the last checkpoint row this sink already holds (0: none), read once before the first write. */
    long position(CheckpointDao dao) throws IOException;

    @Override
    default void close() {
    }
}
