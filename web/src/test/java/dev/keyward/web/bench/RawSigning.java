package dev.keyward.web.bench;

import dev.keyward.ca.pkcs11.Pkcs11Signer;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.JcaSigner;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ceiling for issuance: JCA signatures per second with the CA key itself (same token, same PKCS#11 URI as
 * the server), as scripts/bench-ca measures it: a per-thread {@link Signature} initialised once, then update +
 * sign on a message as long as a user certificate's to-be-signed part. Nothing SSH-specific, no database.
 */
final class RawSigning {
    /** About the size of the signed part of an ed25519 user certificate with one principal and the default extensions. */
    static final int MESSAGE_BYTES = 300;

    private final JcaSigner jca;
    private final String jcaName;
    private final byte[] message = new byte[MESSAGE_BYTES];
    /** Signatures made by the last {@link #rate} call. */
    private long lastCount;

    RawSigning(CaSigner signer) {
        JcaSigner j = signer instanceof Pkcs11Signer p11 ? p11.jcaSigner() : signer instanceof JcaSigner js ? js : null;
        if (j == null) {
            throw new IllegalStateException("expected a PKCS#11 or JCA signer, got " + signer.getClass().getName());
        }
        // the raw rate must use exactly the signer's key handle and provider
        this.jca = j;
        this.jcaName = signer.algorithm().jcaName();
        new SecureRandom().nextBytes(message);
    }

    String describe() {
        return jcaName + " in " + jca.providerName();
    }

    /** Signatures per second on {@code threads} threads over {@code seconds}. */
    double rate(int threads, double seconds) throws InterruptedException {
        LongAdder done = new LongAdder();
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        List<Thread> workers = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    Signature s = jca.newRawSignature();
                    go.await();
                    long n = 0;
                    while (System.nanoTime() < deadline[0]) {
                        s.update(message);
                        if (s.sign().length == 0) {
                            throw new IllegalStateException("empty signature");
                        }
                        n++;
                    }
                    done.add(n);
                } catch (GeneralSecurityException | InterruptedException | RuntimeException e) {
                    errors.add(e);
                }
            }, "raw-sign-" + t);
            workers.add(w);
            w.start();
        }
        long start = System.nanoTime();
        deadline[0] = start + (long) (seconds * 1e9);
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long took = System.nanoTime() - start;
        if (!errors.isEmpty()) {
            throw new IllegalStateException("raw signing failed", errors.get(0));
        }
        lastCount = done.sum();
        return done.sum() * 1e9 / took;
    }

    /** Signatures made by the last {@link #rate} call. */
    long lastCount() {
        return lastCount;
    }
}
