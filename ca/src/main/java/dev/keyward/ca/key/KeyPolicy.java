package dev.keyward.ca.key;

/**
 * What the parser accepts beyond well-formedness. The default refuses RSA keys under 2048 bits,
 * like OpenSSH's own {@code RequiredRSASize} default.
 *
 * @param minRsaBits smallest RSA modulus accepted (at least 1024 by construction, the default 2048)
 */
public record KeyPolicy(int minRsaBits) {
    /** OpenSSH refuses RSA moduli above this (SSHBUF_MAX_BIGNUM * 8). */
    public static final int MAX_RSA_BITS = 16384;

    public static final KeyPolicy DEFAULT = new KeyPolicy(2048);

    public KeyPolicy {
        if (minRsaBits < 1024 || minRsaBits > MAX_RSA_BITS) {
            throw new IllegalArgumentException("minimum RSA size must be between 1024 and " + MAX_RSA_BITS
                    + " bits, got " + minRsaBits);
        }
    }
}
