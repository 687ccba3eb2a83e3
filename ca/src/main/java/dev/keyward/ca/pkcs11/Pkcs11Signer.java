package dev.keyward.ca.pkcs11;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.JcaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.SignatureAlgorithm;
import dev.keyward.ca.sign.SignerException;
import dev.keyward.ca.sign.SignerUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A CA key in a PKCS#11 token that finds itself again when the token's session, object handles, login or device
 * go away (a network HSM dropping sessions, an HSM restarting, SoftHSM2's token directory disappearing).
 * <p>
 * While all is well, {@link #sign} is the {@link JcaSigner} it wraps plus one volatile read and an atomic counter
 * ({@link Pkcs11Module#enter()}): no lock, no lookup. When a signature fails with a PKCS#11 return value that says
 * the connection is gone ({@link Pkcs11Errors#connectionLost(long)}), the signer goes down and a background thread
 * reconnects ({@link Pkcs11Reconnect}: log in again, find the key again by token label and key name, check it is
 * the same key), at once and then with backoff ({@link #FIRST_RETRY} doubling up to {@link #MAX_RETRY}); while
 * down, signatures fail at once with {@link SignerUnavailableException}. A request whose own signature hit the
 * failure waits up to {@link #REQUEST_WAIT} for the first attempt and signs again if it worked, so a dropped
 * session costs the requests in flight some milliseconds, not an error. A PIN the token refuses is not tried
 * again (each wrong attempt counts towards locking the token): that signer stays down until a restart.
 * Other errors (the key may not sign, a bad mechanism) are reported as they are.
 */
public final class Pkcs11Signer implements CaSigner {
    private static final Logger LOG = LoggerFactory.getLogger(Pkcs11Signer.class);
    static final Duration REQUEST_WAIT = Duration.ofSeconds(2);
    static final Duration FIRST_RETRY = Duration.ofMillis(250);
    static final Duration MAX_RETRY = Duration.ofSeconds(5);
    private static final ScheduledExecutorService RECONNECTS = reconnectThread();

    /** The key as it can be used now: a {@link JcaSigner} over a handle of one connection. */
    record Bound(JcaSigner signer, Pkcs11Token.Connection connection) {
    }

    /** Why the signer is down and since when; {@code attempts} failed reconnects so far. */
    private record Outage(String reason, Instant since, int attempts, boolean givenUp, Throwable cause,
            Pkcs11Token.Connection lost) {
    }

    private final Pkcs11Uri uri;
    private final SecretSource secrets;
    private final Pkcs11Module module;
    private final SshPublicKey publicKey;
    private final SignatureAlgorithm algorithm;
    private final String description;
    private final boolean hardwareSlot;
    private volatile Bound bound;
    // guarded by this
    private Outage outage;
    private CompletableFuture<Void> attempt;
    private ScheduledFuture<?> scheduled;
    private boolean closed;

    Pkcs11Signer(Pkcs11Uri uri, SecretSource secrets, Bound bound, boolean hardwareSlot) {
        this.uri = uri;
        this.secrets = secrets;
        this.module = Pkcs11Module.load(uri.modulePath());
        this.publicKey = bound.signer().publicKey();
        this.algorithm = bound.signer().algorithm();
        this.description = describe(uri);
        this.hardwareSlot = hardwareSlot;
        this.bound = bound;
    }

    static String describe(Pkcs11Uri uri) {
        return "PKCS#11 key '" + uri.object() + "' on token '" + uri.token() + "'";
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
    public String description() {
        return description;
    }

    /** A soft token's slot (SoftHSM2's) signs on this host's CPUs; a hardware slot (CKF_HW_SLOT) on its device. */
    @Override
    public boolean signsOnHostCpu() {
        return !hardwareSlot;
    }

    @Override
    public byte[] sign(byte[] data) {
        Bound b = bound;
        if (b == null) {
            throw unavailable();
        }
        SignerException lost;
        module.enter();
        try {
            if (b.connection().epoch() == module.epoch()) {
                return b.signer().sign(data);
            }
            lost = new SignerException("the PKCS#11 module was re-initialised while another key reconnected");
        } catch (SignerException e) {
            if (!lost(b, e)) {
                throw e;
            }
            lost = e;
        } finally {
            module.exit();
        }
        return signAfterLoss(b, lost, data);
    }

    /**
     * Whether {@code e}, from signing through {@code b}, means the connection is gone: a PKCS#11 return value
     * that says so, or a provider that dropped its token. SunPKCS11 watches slots flagged CKF_REMOVABLE_DEVICE
     * itself; when such a token is pulled it unregisters every service of the provider (SunPKCS11.uninitToken) and
     * fails with a ProviderException that carries no return value.
     */
    private static boolean lost(Bound b, SignerException e) {
        return Pkcs11Errors.connectionLost(e) || b.connection().provider().getServices().isEmpty();
    }

    /** Waits (up to {@link #REQUEST_WAIT}) for the reconnect the loss of {@code b} started, then signs once more. */
    private byte[] signAfterLoss(Bound b, SignerException lost, byte[] data) {
        CompletableFuture<Void> reconnect = markLost(b, lost);
        try {
            reconnect.get(REQUEST_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw unavailable();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable();
        }
        Bound now = bound;
        if (now == null) {
            throw unavailable();
        }
        module.enter();
        try {
            if (now.connection().epoch() == module.epoch()) {
                return now.signer().sign(data);
            }
        } catch (SignerException e) {
            if (!lost(now, e)) {
                throw e;
            }
            markLost(now, e);
        } finally {
            module.exit();
        }
        throw unavailable();
    }

    /**
     * The current {@link JcaSigner}, for benchmarks that must sign with the very key handle and provider this signer
     * uses (scripts/bench-ca, bench-server). It grants nothing beyond {@link #sign}.
     */
    public JcaSigner jcaSigner() {
        Bound b = bound;
        if (b == null) {
            throw unavailable();
        }
        return b.signer();
    }

    /** Takes the signer down if {@code b} is still its binding; returns the reconnect attempt to wait for. */
    private synchronized CompletableFuture<Void> markLost(Bound b, SignerException cause) {
        if (bound == b && !closed) {
            bound = null;
            outage = new Outage(lossReason(cause), Instant.now(), 0, false, cause, b.connection());
            LOG.warn("{} lost its connection to the token ({}); reconnecting", description, outage.reason());
            schedule(Duration.ZERO);
        }
        return attempt != null ? attempt : CompletableFuture.completedFuture(null);
    }

    private void schedule(Duration delay) {
        if (attempt == null || attempt.isDone()) {
            attempt = new CompletableFuture<>();
        }
        scheduled = RECONNECTS.schedule(this::reconnect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One reconnect attempt, on the reconnect thread. */
    private void reconnect() {
        Pkcs11Token.Connection lost;
        synchronized (this) {
            if (closed || outage == null) {
                return;
            }
            lost = outage.lost();
        }
        Bound fresh = null;
        RuntimeException failure = null;
        try {
            fresh = Pkcs11Reconnect.reconnect(uri, secrets, publicKey, lost);
        } catch (RuntimeException e) {
            failure = e;
        }
        CompletableFuture<Void> done;
        synchronized (this) {
            done = attempt;
            attempt = null;
            if (fresh != null) {
                LOG.info("{} reconnected after {} attempt(s); it was down since {}", description,
                        outage.attempts() + 1, outage.since());
                outage = null;
                bound = fresh;
            } else {
                boolean giveUp = failure instanceof InvalidInputException && Pkcs11Errors.pinRefused(failure);
                Outage o = outage;
                outage = new Outage(reason(failure), o.since(), o.attempts() + 1, giveUp, failure, o.lost());
                if (giveUp) {
                    LOG.error("{} cannot reconnect: {}; not trying again (the token counts wrong PINs), restart the"
                            + " server once the PIN is fixed", description, failure.getMessage());
                } else {
                    Duration next = backoff(outage.attempts());
                    if (!o.reason().equals(outage.reason()) || outage.attempts() % 12 == 1) {
                        LOG.warn("{} is still unavailable after {} attempt(s): {}; next attempt in {} ms", description,
                                outage.attempts(), outage.reason(), next.toMillis());
                    }
                    if (!closed) {
                        schedule(next);
                    }
                }
            }
        }
        if (done != null) {
            done.complete(null);
        }
    }

    /** 250 ms after the first failed attempt, doubling up to {@link #MAX_RETRY}. */
    static Duration backoff(int failedAttempts) {
        long ms = FIRST_RETRY.toMillis() << Math.min(failedAttempts - 1, 16);
        return Duration.ofMillis(Math.min(ms, MAX_RETRY.toMillis()));
    }

    private synchronized SignerUnavailableException unavailable() {
        Outage o = outage;
        if (o == null) { // recovered in the meantime, or closed
            return new SignerUnavailableException(description + " is unavailable" + (closed ? " (closed)" : ""), null);
        }
        String state = o.givenUp() ? "not retrying; fix the PIN and restart"
                : "reconnecting since " + o.since().truncatedTo(ChronoUnit.SECONDS) + ", " + o.attempts()
                        + " attempt(s) so far";
        return new SignerUnavailableException(description + " is unavailable: " + o.reason() + "; " + state,
                o.cause());
    }

    /** Why a signature failed: the PKCS#11 return value where there is one (the signer is named elsewhere). */
    private static String lossReason(SignerException e) {
        var rv = Pkcs11Module.returnCode(e);
        return rv.isPresent() ? "signing failed with " + Pkcs11Errors.name(rv.getAsLong()) : e.getMessage();
    }

    /** Why a reconnect failed (the messages of the PKCS#11 calls name their return values). */
    private static String reason(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getMessage();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        if (attempt != null) {
            attempt.complete(null);
        }
    }

    private static ScheduledExecutorService reconnectThread() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "keyward-pkcs11-reconnect");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }
}
