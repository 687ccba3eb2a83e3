/**
 * Jazzer fuzz targets ({@code @FuzzTest}) for the CA core's parsers of untrusted input: public keys and
 * authorized_keys lines, certificates, KRLs, the JSON codec and PKCS#11 URIs. Each target states a property beyond
 * "no crash" (re-encoding gives the same bytes, OpenSSH reads what we accept) and lets only the parser's documented
 * exception escape. Under {@code ./scripts/test} they run over the committed seeds in
 * {@code src/test/resources/dev/keyward/ca/fuzz/<Class>Inputs/<method>/}; {@code scripts/fuzz} fuzzes them.
 */
package dev.keyward.ca.fuzz;
