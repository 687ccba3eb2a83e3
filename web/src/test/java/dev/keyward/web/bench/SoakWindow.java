package dev.keyward.web.bench;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What happened in one minute of a soak run: certificate requests by the minute they were due (so a slow answer
 * counts against the minute that waited for it), revocations and agent requests by the minute they finished, and
 * failures by what failed ({@code issue HTTP 429}, {@code krl I/O}, ...). Written from many threads.
 */
final class SoakWindow {
    /** Certificates issued (201). */
    final LongAdder issued = new LongAdder();
    /** Certificate requests answered, failed or given up unsent: the minute is complete when this is its share. */
    final LongAdder issueDone = new LongAdder();
    final LongAdder revoked = new LongAdder();
    final LongAdder agentRequests = new LongAdder();
    private final Latencies issue = new Latencies();
    private final Latencies agent = new Latencies();
    private final Map<String, LongAdder> failures = new ConcurrentSkipListMap<>();

    synchronized void issueLatency(long nanos) {
        issue.add(nanos);
    }

    synchronized void agentLatency(long nanos) {
        agent.add(nanos);
    }

    /** A sorted copy of this minute's issuance latencies. */
    synchronized Latencies issueLatencies() {
        return Latencies.merge(List.of(issue));
    }

    synchronized Latencies agentLatencies() {
        return Latencies.merge(List.of(agent));
    }

    void failed(String what) {
        failures.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    long failures() {
        return failures.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /** {@code issue HTTP 429 x3, krl I/O x1}, or empty. */
    String failureSummary() {
        StringJoiner j = new StringJoiner(", ");
        failures.forEach((what, n) -> j.add(what + " x" + n.sum()));
        return j.toString();
    }
}
