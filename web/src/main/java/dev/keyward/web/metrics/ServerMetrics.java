package dev.keyward.web.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * The server's meters. Names (Prometheus form): {@code keyward_certs_issued_total{type}},
 * {@code keyward_cert_issue_seconds{type}} (whole issuance: policy, serial, signing, commit),
 * {@code keyward_signer_seconds{type}} (the CA signature alone), {@code keyward_http_errors_total{status}},
 * {@code keyward_auth_failures_total}, {@code keyward_krl_requests_total{result}},
 * {@code keyward_http_rate_limited_total{route,key}} (429s by route and by what ran out: {@code caller},
 * {@code source}, {@code auth_failures}), {@code keyward_http_connections_refused_total} (over
 * {@code http.limits.connections_per_source}), {@code keyward_http_request_timeouts_total{phase}} (headers or body
 * not in time), {@code keyward_audit_checkpoints_total} (checkpoints this node signed),
 * {@code keyward_audit_checkpoint_lag_entries} (entries past the newest checkpoint, as this node last saw them),
 * {@code keyward_audit_sink_failures_total{sink}} (failed rounds of writing checkpoints to a sink: {@code file},
 * {@code syslog}) and {@code keyward_audit_sink_up{sink}} (1 while the sink takes checkpoints, 0 while it fails),
 * {@code keyward_signer_errors_total{type}} (CA signatures that failed), the fleet's gauges
 * ({@code keyward_hosts_*}, {@code keyward_host_credential_*}: see {@code FleetGauges}), plus JVM meters.
 */
public final class ServerMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Meters by name and tag, registered once: building and registering a meter per request costs microseconds. */
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> counters = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
    private final Counter krlNotModified;
    private final Counter krlFull;
    private final Counter authFailures;

    public ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        gc.bindTo(registry);
        krlNotModified = Counter.builder("keyward.krl.requests").description("KRL requests by result")
                .tag("result", "304").register(registry);
        krlFull = Counter.builder("keyward.krl.requests").description("KRL requests by result")
                .tag("result", "200").register(registry);
        authFailures = Counter.builder("keyward.auth.failures").description("refused bearer credentials")
                .register(registry);
    }

    public void certIssued(String type, Duration took) {
        counters.computeIfAbsent("issued:" + type, k -> Counter.builder("keyward.certs.issued")
                .description("certificates issued").tag("type", type).register(registry)).increment();
        timer("keyward.cert.issue", "time to issue a certificate (policy, serial, signing, commit)", type)
                .record(took);
    }

    public void signed(String type, Duration took) {
        timer("keyward.signer", "time the CA signer takes for one signature", type).record(took);
    }

    public void httpError(int status) {
        Counter.builder("keyward.http.errors").description("error responses by status")
                .tag("status", Integer.toString(status)).register(registry).increment();
    }

    public void authFailure() {
        authFailures.increment();
    }

    public void rateLimited(String route, String key) {
        counters.computeIfAbsent("limited:" + route + ":" + key, k -> Counter.builder("keyward.http.rate.limited")
                .description("requests refused with 429 by route and by the budget that ran out")
                .tag("route", route).tag("key", key).register(registry)).increment();
    }

    public void connectionRefused() {
        counters.computeIfAbsent("connections-refused", k -> Counter.builder("keyward.http.connections.refused")
                .description("connections closed at accept: too many open from one client address")
                .register(registry)).increment();
    }

    public void requestTimeout(String phase) {
        counters.computeIfAbsent("timeout:" + phase, k -> Counter.builder("keyward.http.request.timeouts")
                .description("requests whose headers or body did not arrive in time").tag("phase", phase)
                .register(registry)).increment();
    }

    public void auditCheckpoint() {
        counters.computeIfAbsent("audit-checkpoints", k -> Counter.builder("keyward.audit.checkpoints")
                .description("audit checkpoints this node signed").register(registry)).increment();
    }

    public void auditSinkFailure(String sink) {
        counters.computeIfAbsent("audit-sink-failures:" + sink, k -> Counter.builder("keyward.audit.sink.failures")
                .description("failed rounds of writing audit checkpoints to a sink").tag("sink", sink)
                .register(registry)).increment();
    }

    /** A CA signature that failed (the token went away, the HSM refused): {@code keyward_signer_errors_total{type}}. */
    public void signerError(String type) {
        counters.computeIfAbsent("signer-error:" + type, k -> Counter.builder("keyward.signer.errors")
                .description("CA signatures that failed").tag("type", type).register(registry)).increment();
    }

    /** Registers a gauge read at each scrape ({@code name} in Micrometer's dotted form). */
    public void gauge(String name, String description, java.util.function.Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value).description(description).register(registry);
    }

    /** Registers {@code keyward_audit_checkpoint_lag_entries}. */
    public void auditCheckpointLag(java.util.function.Supplier<Number> entries) {
        io.micrometer.core.instrument.Gauge.builder("keyward.audit.checkpoint.lag.entries", entries)
                .description("audit entries past the newest checkpoint").register(registry);
    }

    /** Registers {@code keyward_audit_sink_up{sink}}. */
    public void auditSinkUp(String sink, java.util.function.BooleanSupplier up) {
        io.micrometer.core.instrument.Gauge.builder("keyward.audit.sink.up", () -> up.getAsBoolean() ? 1 : 0)
                .description("1 while the audit checkpoint sink takes checkpoints, 0 while it fails")
                .tag("sink", sink).register(registry);
    }

    public void krlRequest(boolean notModified) {
        (notModified ? krlNotModified : krlFull).increment();
    }

    private Timer timer(String name, String description, String type) {
        return timers.computeIfAbsent(name + ":" + type, k -> Timer.builder(name).description(description).tag("type", type)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .register(registry));
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
