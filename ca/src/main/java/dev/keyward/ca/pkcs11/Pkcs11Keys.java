package dev.keyward.ca.pkcs11;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.JcaKeys;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.JcaSigner;
import dev.keyward.ca.sign.KeyProtection;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.SignerException;
import dev.keyward.ca.sign.SshSignatures;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * CA keys in a PKCS#11 token, named by RFC 7512 URIs ({@link Pkcs11Uri}): generate one inside the token, open
 * one for signing, or destroy one. Signing goes through {@link JcaSigner} with the token's SunPKCS11 provider:
 * ECDSA as {@code SHA256withECDSAinP1363Format} / {@code SHA384withECDSAinP1363Format}, RSA as rsa-sha2-512;
 * {@link Pkcs11Signer} around it finds the key again when the token's session or objects go away.
 * <p>
 * Generated keys are sensitive, non-extractable token objects (see {@link SunPkcs11Config}). Ed25519 is
 * refused: SunPKCS11 has no EdDSA, although many tokens do.
 */
public final class Pkcs11Keys {
    private static final byte[] SELF_TEST = "keyward pkcs11 self-test".getBytes(StandardCharsets.US_ASCII);

    private Pkcs11Keys() {
    }

    /**
     * Generates a CA key named {@code uri.object()} inside the token and returns a signer for it. Refuses a
     * name that is already taken. Generation on one module is serialised.
     */
    public static CaSigner generate(Pkcs11Uri uri, CaAlgorithm algorithm, SecretSource secrets) {
        AlgorithmParameterSpec spec = keySpec(algorithm);
        Pkcs11Token token = Pkcs11Token.of(uri);
        return token.module().exclusive(() -> {
            Pkcs11Token.Connection c = token.connection();
            KeyStore ks = login(token, c, uri, secrets);
            if (containsAlias(ks, uri)) {
                throw new InvalidInputException("PKCS#11 token '" + uri.token() + "' already has a key named '"
                        + uri.object() + "'; choose another name or open the existing key");
            }
            KeyPair pair;
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance(
                        spec instanceof ECGenParameterSpec ? "EC" : "RSA", c.provider());
                generator.initialize(spec);
                pair = generator.generateKeyPair();
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new SignerException("cannot generate a " + algorithm + " key in PKCS#11 token '" + uri.token()
                        + "': " + e.getMessage(), e);
            }
            token.module().pin(pair.getPublic()); // a session object: see Pkcs11Module.pin
            X509Certificate placeholder = PlaceholderCertificate.create(uri.object(), pair, c.provider());
            try {
                ks.setEntry(uri.object(), new KeyStore.PrivateKeyEntry(pair.getPrivate(),
                        new Certificate[] {placeholder}), null);
            } catch (KeyStoreException | RuntimeException e) {
                throw new SignerException("generated a " + algorithm + " key in PKCS#11 token '" + uri.token()
                        + "' but could not name it '" + uri.object() + "'; a key object without a name may be left"
                        + " on the token: " + e.getMessage(), e);
            }
            return new Pkcs11Signer(uri, secrets, bound(uri, c, pair.getPublic(), pair.getPrivate()),
                    token.hardwareSlot());
        });
    }

    /** Opens the CA key named {@code uri.object()} for signing; refuses a name the token does not have. */
    public static CaSigner open(Pkcs11Uri uri, SecretSource secrets) {
        Pkcs11Token token = Pkcs11Token.of(uri);
        return new Pkcs11Signer(uri, secrets, token.module().exclusive(() -> find(token, token.connection(), uri,
                secrets)), token.hardwareSlot());
    }

    /**
     * Finds the key again through a connection other than {@code lost} (see {@link Pkcs11Token}), for a signer
     * that lost its connection; refuses a key that is not {@code expected}, the one the signer was opened with.
     * Runs in the module's {@link Pkcs11Module#exclusive}.
     */
    static Pkcs11Signer.Bound reopen(Pkcs11Uri uri, SecretSource secrets, SshPublicKey expected,
            Pkcs11Token.Connection lost) {
        Pkcs11Token token = Pkcs11Token.of(uri);
        Pkcs11Token.Connection c = token.connectionOtherThan(lost);
        Pkcs11Signer.Bound bound;
        try {
            bound = find(token, c, uri, secrets);
        } catch (SignerException e) {
            if (!Pkcs11Errors.connectionLost(e)) {
                throw e;
            }
            // another key of the token reconnected a moment ago, and that connection is lost as well
            bound = find(token, token.connectionOtherThan(c), uri, secrets);
        }
        if (!bound.signer().publicKey().equals(expected)) {
            throw new SignerException("PKCS#11 token '" + uri.token() + "' now holds a different key named '"
                    + uri.object() + "' (" + bound.signer().publicKey().fingerprint() + ") than the one this server"
                    + " opened (" + expected.fingerprint() + "); not signing with it");
        }
        return bound;
    }

    private static Pkcs11Signer.Bound find(Pkcs11Token token, Pkcs11Token.Connection c, Pkcs11Uri uri,
            SecretSource secrets) {
        KeyStore ks = login(token, c, uri, secrets);
        try {
            Key key = ks.isKeyEntry(uri.object()) ? ks.getKey(uri.object(), null) : null;
            Certificate cert = ks.getCertificate(uri.object());
            if (!(key instanceof PrivateKey pk) || cert == null) {
                throw new InvalidInputException("PKCS#11 token '" + uri.token() + "' has no key named '"
                        + uri.object() + "'; " + describeKeys(ks));
            }
            return bound(uri, c, cert.getPublicKey(), pk);
        } catch (GeneralSecurityException e) {
            throw new SignerException("cannot read key '" + uri.object() + "' from PKCS#11 token '"
                    + uri.token() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the CA key named {@code uri.object()} (the private key and its placeholder certificate) from the
     * token: SunPKCS11's {@code KeyStore.deleteEntry} destroys both objects (C_DestroyObject). Then checks, in a
     * session of its own, that the token no longer holds a private key by that name. Irreversible: certificates
     * signed by the key stay valid, but no new ones can be signed.
     */
    public static void destroy(Pkcs11Uri uri, SecretSource secrets) {
        Pkcs11Token token = Pkcs11Token.of(uri);
        token.module().exclusive(() -> {
            KeyStore ks = login(token, token.connection(), uri, secrets);
            if (!containsAlias(ks, uri)) {
                throw new InvalidInputException("PKCS#11 token '" + uri.token() + "' has no key named '"
                        + uri.object() + "' to delete; " + describeKeys(ks));
            }
            try {
                ks.deleteEntry(uri.object());
            } catch (KeyStoreException e) {
                throw new SignerException("cannot delete key '" + uri.object() + "' from PKCS#11 token '"
                        + uri.token() + "': " + e.getMessage(), e);
            }
            char[] pin = Pkcs11Pin.resolve(uri, secrets);
            try {
                if (token.module().hasPrivateKey(TokenSlots.resolve(uri.modulePath(), uri.token()).id(), pin,
                        uri.object())) {
                    throw new SignerException("PKCS#11 token '" + uri.token() + "' still holds a private key named '"
                            + uri.object() + "' after deleting it");
                }
            } finally {
                Arrays.fill(pin, '\0');
            }
            return null;
        });
    }

    /** Whether the token holds a key named {@code uri.object()}. */
    public static boolean exists(Pkcs11Uri uri, SecretSource secrets) {
        Pkcs11Token token = Pkcs11Token.of(uri);
        return token.module().exclusive(() -> containsAlias(login(token, token.connection(), uri, secrets), uri));
    }

    /**
     * How the token protects the key named {@code uri.object()}, read back from the token's own attributes
     * (CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE, CKA_EXTRACTABLE, CKA_NEVER_EXTRACTABLE, CKA_LOCAL), not from what was
     * asked for when it was generated.
     */
    public static KeyProtection protection(Pkcs11Uri uri, SecretSource secrets) {
        Pkcs11Token token = Pkcs11Token.of(uri);
        return token.module().exclusive(() -> {
            login(token, token.connection(), uri, secrets);
            char[] pin = Pkcs11Pin.resolve(uri, secrets);
            try {
                Pkcs11Module.KeyAttributes a = token.module().privateKeyAttributes(
                        TokenSlots.resolve(uri.modulePath(), uri.token()).id(), pin, uri.object())
                        .orElseThrow(() -> new InvalidInputException("PKCS#11 token '" + uri.token()
                                + "' has no key named '" + uri.object() + "'"));
                return new KeyProtection(KeyProtection.Storage.PKCS11_TOKEN, "token '" + uri.token() + "' ("
                        + uri.modulePath() + ")", a.token(), a.sensitive(), a.alwaysSensitive(), a.extractable(),
                        a.neverExtractable(), a.local());
            } finally {
                Arrays.fill(pin, '\0');
            }
        });
    }

    private static AlgorithmParameterSpec keySpec(CaAlgorithm algorithm) {
        return switch (algorithm) {
            case ECDSA_P256 -> new ECGenParameterSpec("secp256r1");
            case ECDSA_P384 -> new ECGenParameterSpec("secp384r1");
            case RSA_3072, RSA_4096 -> new RSAKeyGenParameterSpec(algorithm.bits(), RSAKeyGenParameterSpec.F4);
            case ED25519 -> throw new InvalidInputException(
                    "Ed25519 CA keys only with software keys: SunPKCS11 has no EdDSA; choose ecdsa-p256 (default),"
                            + " ecdsa-p384, rsa-3072 or rsa-4096 for a PKCS#11 token");
        };
    }

    private static KeyStore login(Pkcs11Token token, Pkcs11Token.Connection c, Pkcs11Uri uri, SecretSource secrets) {
        char[] pin = Pkcs11Pin.resolve(uri, secrets);
        try {
            return token.login(c, pin);
        } finally {
            Arrays.fill(pin, '\0');
        }
    }

    private static boolean containsAlias(KeyStore ks, Pkcs11Uri uri) {
        try {
            return ks.containsAlias(uri.object());
        } catch (KeyStoreException e) {
            throw new SignerException("cannot list the keys of PKCS#11 token '" + uri.token() + "': "
                    + e.getMessage(), e);
        }
    }

    private static String describeKeys(KeyStore ks) {
        try {
            List<String> names = new ArrayList<>();
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    names.add("'" + alias + "'");
                }
            }
            Collections.sort(names);
            return names.isEmpty() ? "it holds no named keys" : "keys found: " + String.join(", ", names);
        } catch (KeyStoreException e) {
            return "its keys cannot be listed (" + e.getMessage() + ")";
        }
    }

    /**
     * The pair bound to connection {@code c}, after one signature made in the token and verified in software: this
     * catches a placeholder certificate that does not belong to the private key, and a token that cannot sign,
     * before a CA hands out certificates nobody can verify.
     */
    private static Pkcs11Signer.Bound bound(Pkcs11Uri uri, Pkcs11Token.Connection c, PublicKey publicKey,
            PrivateKey privateKey) {
        JcaSigner signer = new JcaSigner(JcaKeys.fromJca(publicKey), publicKey, privateKey, c.provider(),
                Pkcs11Signer.describe(uri));
        if (!SshSignatures.verify(signer.publicKey(), SELF_TEST, signer.sign(SELF_TEST))) {
            throw new SignerException("PKCS#11 key '" + uri.object() + "' on token '" + uri.token()
                    + "' does not match its certificate's public key: the key store entry is damaged");
        }
        return new Pkcs11Signer.Bound(signer, c);
    }
}
