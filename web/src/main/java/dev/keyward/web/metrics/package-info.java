/** Prometheus metrics through Micrometer: issuance counts and latency by type, signer latency, errors. */
package dev.keyward.web.metrics;
