package dev.keyward.web.service;

import dev.keyward.ca.cert.CertType;
import dev.keyward.ca.sign.CaSigner;
import java.util.Objects;

/**
 * The two active CA keys: one signs only user certificates, the other only host certificates.
 *
 * @param userKeyId the ca_keys row of the user CA key
 * @param hostKeyId the ca_keys row of the host CA key
 */
public record CaKeys(CaSigner user, long userKeyId, CaSigner host, long hostKeyId) implements AutoCloseable {
    public CaKeys {
        Objects.requireNonNull(user);
        Objects.requireNonNull(host);
        if (user.publicKey().equals(host.publicKey())) {
            throw new IllegalArgumentException("the user and host CA keys must be different keys");
        }
    }

    public CaSigner signer(CertType type) {
        return type == CertType.USER ? user : host;
    }

    public long keyId(CertType type) {
        return type == CertType.USER ? userKeyId : hostKeyId;
    }

    @Override
    public void close() {
        user.close();
        host.close();
    }
}
