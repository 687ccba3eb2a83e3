package dev.keyward.ca.sign;

import dev.keyward.ca.key.SshPublicKey;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.PublicKey;

/**
 * A signer over a JCA private key from some provider (SunPKCS11 for tokens; the default providers or
 * Bouncy Castle for software keys). A {@link Signature} is cached per thread: initSign is cheap, getInstance
 * is not.
 */
public class JcaSigner implements CaSigner {
    private final SshPublicKey publicKey;
    private final SignatureAlgorithm algorithm;
    private final PrivateKey privateKey;
    private final Provider provider;
    private final String description;
    private final int rsaModulusBytes;
    private final ThreadLocal<Signature> signatures;

    public JcaSigner(SshPublicKey publicKey, PublicKey jcaPublic, PrivateKey privateKey, Provider provider,
            String description) {
        this.publicKey = publicKey;
        this.algorithm = SignatureAlgorithm.forSigning(publicKey.type());
        this.privateKey = privateKey;
        this.provider = provider;
        this.description = description;
        this.rsaModulusBytes = jcaPublic instanceof RSAPublicKey rsa ? (rsa.getModulus().bitLength() + 7) / 8 : 0;
        this.signatures = ThreadLocal.withInitial(this::newSignature);
    }

    private Signature newSignature() {
        try {
            return provider == null ? Signature.getInstance(algorithm.jcaName())
                    : Signature.getInstance(algorithm.jcaName(), provider);
        } catch (GeneralSecurityException e) {
            throw new SignerException("cannot create " + algorithm.jcaName() + " for " + description, e);
        }
    }

    /**
     * A new JCA {@link Signature} over this signer's own key handle and provider, initialised for signing: the raw
     * operation {@link #sign(byte[])} wraps, for measuring the signing ceiling (scripts/bench-ca and bench-server
     * compare issuance against it). It grants nothing beyond {@link #sign(byte[])}: the key still never leaves.
     */
    public Signature newRawSignature() {
        Signature s = newSignature();
        try {
            s.initSign(privateKey);
        } catch (GeneralSecurityException e) {
            throw new SignerException("cannot initialise " + algorithm.jcaName() + " for " + description, e);
        }
        return s;
    }

    /** The JCA provider that signs (the token's SunPKCS11 instance), or "default" for the JDK's choice. */
    public String providerName() {
        return provider == null ? "default" : provider.getName();
    }

    @Override
    public SshPublicKey publicKey() {
        return publicKey;
    }

    @Override
    public SignatureAlgorithm algorithm() {
        return algorithm;
    }

    @Override
    public byte[] sign(byte[] data) {
        try {
            Signature s = signatures.get();
            s.initSign(privateKey);
            s.update(data);
            return SshSignatures.encode(algorithm, s.sign(), rsaModulusBytes);
        } catch (GeneralSecurityException | RuntimeException e) {
            signatures.remove(); // a failed operation may leave the object unusable (e.g. a lost token session)
            if (e instanceof SignerException se) {
                throw se;
            }
            throw new SignerException("signing with " + description + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String description() {
        return description;
    }
}
