package dev.keyward.ca.pkcs11;

import dev.keyward.ca.sign.SignerException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed X.509 certificate whose only job is to make a token key findable by name: SunPKCS11's key store
 * lists a private key only together with a certificate chain, and stores the alias as the key's CKA_ID and as
 * the certificate's CKA_ID and CKA_LABEL. The certificate also carries the public key across sessions, since
 * the public-key object itself is a session object (see {@link SunPkcs11Config}).
 * <p>
 * Nothing trusts this certificate. It is signed by the token key itself, inside the token, which proves the
 * certificate's public key and the private key belong together when it is made.
 */
final class PlaceholderCertificate {
    /** Validity is irrelevant to SSH; a long one keeps X.509 tooling from flagging the entry as expired. */
    private static final Duration VALIDITY = Duration.ofDays(365L * 100);
    private static final SecureRandom RANDOM = new SecureRandom();

    private PlaceholderCertificate() {
    }

    static X509Certificate create(String keyName, KeyPair pair, Provider tokenProvider) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, "Keyward")
                .addRDN(BCStyle.CN, "placeholder for PKCS#11 CA key " + keyName)
                .build();
        Instant now = Instant.now();
        try {
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(pair))
                    .setProvider(tokenProvider)
                    .build(pair.getPrivate());
            X509CertificateHolder holder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(63, RANDOM).add(BigInteger.ONE), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(VALIDITY)), subject, pair.getPublic())
                    .build(signer);
            // Converted with the JDK's own X.509 code: the key store must hold a plain JDK certificate.
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException | CertificateException | RuntimeException e) {
            throw new SignerException("cannot create the placeholder certificate for PKCS#11 key '" + keyName
                    + "': " + e.getMessage(), e);
        }
    }

    private static String signatureAlgorithm(KeyPair pair) {
        if (pair.getPublic() instanceof ECPublicKey ec) {
            return ec.getParams().getCurve().getField().getFieldSize() > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
        }
        return "SHA256withRSA";
    }
}
