/**
 * Test fixtures for the server: a real PostgreSQL per test class ({@link dev.keyward.web.testing.TestDatabases}),
 * a server on a free loopback port ({@link dev.keyward.web.testing.TestServer}) and an HTTP client
 * ({@link dev.keyward.web.testing.Api}); {@code --root} trees and registered hosts for the real agent
 * ({@link dev.keyward.web.testing.AgentRoots}).
 */
package dev.keyward.web.testing;
