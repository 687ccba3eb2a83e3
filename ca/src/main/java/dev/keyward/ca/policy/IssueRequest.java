package dev.keyward.ca.policy;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.key.SshPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the caller asked for. Everything but the type and the key is optional; the matched policy rule fills in
 * the rest.
 *
 * @param type       user or host certificate
 * @param publicKey  the key to certify
 * @param principals requested principals, in order; empty means the rule's defaults (for host certificates:
 *                   all registered names)
 * @param ttl        requested lifetime; null means the rule's {@code default_ttl}
 * @param keyId      requested key ID; null means the rule's {@code key_id_template} (a requested ID is only
 *                   accepted by rules with {@code allow_user_key_ids: true})
 * @param extensions requested user-certificate extensions; null means the rule's {@code default_extensions},
 *                   an empty set means none at all
 */
public record IssueRequest(CertType type, SshPublicKey publicKey, List<String> principals, Duration ttl,
        String keyId, Set<String> extensions) {

    public IssueRequest {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(publicKey, "publicKey");
        if (principals != null && principals.stream().anyMatch(Objects::isNull)) {
            throw new InvalidInputException("requested principals may not contain null");
        }
        if (extensions != null && extensions.stream().anyMatch(Objects::isNull)) {
            throw new InvalidInputException("requested extensions may not contain null");
        }
        principals = principals == null ? List.of() : List.copyOf(principals);
        extensions = extensions == null ? null : Set.copyOf(extensions);
    }

    /** A request that takes the rule's default extensions. */
    public IssueRequest(CertType type, SshPublicKey publicKey, List<String> principals, Duration ttl, String keyId) {
        this(type, publicKey, principals, ttl, keyId, null);
    }
}
