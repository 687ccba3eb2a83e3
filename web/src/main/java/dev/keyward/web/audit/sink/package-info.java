/**
 * Where audit checkpoints go besides the database, so that whoever can rewrite the database cannot also rewrite
 * them: an append-only file ({@link dev.keyward.web.audit.sink.FileSink}) and a syslog collector
 * ({@link dev.keyward.web.audit.sink.SyslogSink}). A {@link dev.keyward.web.audit.sink.SinkFollower} copies the
 * checkpoint table into one sink in order, remembers how far it got, and retries a sink that failed on its next
 * round, so a failing sink never loses a checkpoint nor holds up anything else.
 */
package dev.keyward.web.audit.sink;
