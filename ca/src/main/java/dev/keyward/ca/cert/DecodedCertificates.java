package dev.keyward.ca.cert;

import dev.keyward.ca.InvalidInputException;
import java.util.List;
import java.util.Map;

/** Builds a {@link Certificate} from decoded fields, applying the same validation as issuance. */
final class DecodedCertificates {
    private DecodedCertificates() {
    }

    static Certificate build(Certificate.Builder b, String keyId, List<String> principals,
            Map<String, String> critical, Map<String, String> extensions) {
        b.keyId(keyId).principals(principals);
        critical.forEach(b::criticalOption);
        extensions.forEach(b::extension);
        try {
            return b.build();
        } catch (InvalidInputException e) {
            throw new InvalidInputException("certificate is not acceptable: " + e.getMessage(), e);
        }
    }
}
