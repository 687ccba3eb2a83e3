/**
 * The load generator behind {@code scripts/bench-server} (a main class, not a test): raw signing rate of the
 * server's CA key, HTTP issuance at several concurrencies (closed loop) and at a fixed offered rate (open loop),
 * durability of every issued certificate, and conditional KRL requests. See {@link dev.keyward.web.bench.BenchServer}.
 */
package dev.keyward.web.bench;
