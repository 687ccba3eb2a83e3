package dev.keyward.cli.cert;

import dev.keyward.ca.InvalidInputException;

/** The server's certificate failed a local check: nothing was written. */
public final class CertificateRejectedException extends InvalidInputException {
    public CertificateRejectedException(String message) {
        super(message);
    }
}
