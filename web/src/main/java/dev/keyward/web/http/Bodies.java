package dev.keyward.web.http;

import java.util.List;

/** Request bodies, as on the wire (snake_case). Missing fields are null; handlers say which are required. */
final class Bodies {
    private Bodies() {
    }

    /**
     * POST /certs/user. {@code extensions}: the certificate's extensions, within the matching rule's
     * {@code extensions}; absent means the rule's {@code default_extensions}, {@code []} means none.
     */
    record UserCertRequest(String publicKey, List<String> principals, String ttl, String keyId,
            List<String> extensions) {
    }

    /** POST /certs/host. */
    record HostCertRequest(String publicKey, List<String> principals, String ttl) {
    }

    /** POST /certs/{serial}/revoke. */
    record RevokeCertRequest(String reason) {
    }

    /** POST /revocations: exactly one of public_key, fingerprint, key_id. */
    record RevocationRequest(String publicKey, String fingerprint, String keyId, String reason) {
    }

    /** POST /tokens; principals only for role host (the host's registered names). */
    record TokenRequest(String name, String role, String username, List<String> principals, String ttl) {
    }

    /** POST /ca/keys: a new pending CA key; {@code algorithm} defaults to {@code ca.algorithm}. */
    record RotateCaKey(String purpose, String algorithm) {
    }

    /** POST /ca/keys/{id}/activate and /destroy: the purpose the key must have; force past the refusals. */
    record CaKeyStep(String purpose, Boolean force) {
    }

    /** POST /ca/keys/{id}/revoke. */
    record RevokeCaKey(String purpose, String reason) {
    }

    static <T> T required(T value, String field) {
        if (value == null || value instanceof String s && s.isBlank()) {
            throw ApiException.badRequest("field '" + field + "' is required");
        }
        return value;
    }
}
