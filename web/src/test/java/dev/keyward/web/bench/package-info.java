/**
 * The load generators behind {@code scripts/bench-server} and {@code scripts/soak-server} (main classes, not tests).
 * {@link dev.keyward.web.bench.BenchServer}: raw signing rate of the server's CA key, HTTP issuance at several
 * concurrencies (closed loop) and at a fixed offered rate (open loop), durability of every issued certificate, and
 * conditional KRL requests. {@link dev.keyward.web.bench.SoakServer}: minutes of fixed-rate issuance with 1% revoked
 * and simulated agents polling and reporting, watching the server's memory, files, threads and database for growth.
 * They share the HTTP client ({@code MiniHttp}), the open loop, latency percentiles and the embedded database login.
 */
package dev.keyward.web.bench;
