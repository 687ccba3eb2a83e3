/**
 * The CA benchmark behind {@code scripts/bench-ca}: certificate issuance through the library against the raw
 * signing rate of the same PKCS#11 key and against {@code ssh-keygen -s}, and a million-serial KRL against
 * {@code ssh-keygen -k}. It lives in the test sources to reuse the SoftHSM2 and OpenSSH fixtures; it is a
 * program ({@link dev.keyward.ca.bench.BenchCa}), not a JUnit test, so {@code mvn verify} never runs it.
 */
package dev.keyward.ca.bench;
