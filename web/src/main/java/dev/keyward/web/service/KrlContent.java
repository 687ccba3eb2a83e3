package dev.keyward.web.service;

import dev.keyward.ca.key.SshPublicKey;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;

/**
 * Everything the KRL must say at one version, read from one database snapshot.
 *
 * @param generatedAt  when the version was raised (so every node builds the same bytes for a version)
 * @param caSections   per CA key: the revoked serials it signed, and the revoked key IDs (which apply to every CA)
 * @param revokedKeys  public keys revoked everywhere
 * @param fingerprints SHA256 fingerprints ({@code SHA256:...}) revoked everywhere
 */
public record KrlContent(long version, Instant generatedAt, List<CaSection> caSections, List<SshPublicKey> revokedKeys,
        List<String> fingerprints) {

    public KrlContent {
        caSections = List.copyOf(caSections);
        revokedKeys = List.copyOf(revokedKeys);
        fingerprints = List.copyOf(fingerprints);
    }

    /** What is revoked under one CA key. */
    public record CaSection(SshPublicKey caKey, SortedSet<Long> serials, SortedSet<String> keyIds) {
    }
}
