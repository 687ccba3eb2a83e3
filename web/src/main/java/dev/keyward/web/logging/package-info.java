/**
 * The server's log: the text format is slf4j-simple's (one line per event on stderr); {@code log.format: json} selects
 * {@link dev.keyward.web.logging.JsonLogProvider}, which writes the same events as one JSON object per line for log
 * shippers, with the ID of the HTTP request being handled ({@link dev.keyward.web.logging.RequestLogContext}, the
 * {@code X-Request-Id} of its response).
 */
package dev.keyward.web.logging;
