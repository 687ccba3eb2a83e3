/**
 * Jazzer fuzz targets ({@code @FuzzTest}) for what the server reads from outside: its YAML configuration with the
 * issuance policy, and the request bodies of every route (through the real handlers of an in-process server on
 * the test database). Seeds: {@code src/test/resources/dev/keyward/web/fuzz/<Class>Inputs/<method>/};
 * {@code scripts/fuzz} fuzzes them. {@link dev.keyward.web.fuzz.NameLookups} turns DNS look-ups into findings.
 */
package dev.keyward.web.fuzz;
