package dev.keyward.agent.credential;

import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import dev.keyward.ca.json.JsonWritable;
import dev.keyward.ca.json.JsonWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What the agent knows about its host credential ({@code <state_dir>/credential.json}, 0600; never the secret).
 * Unknown lifetime (an enrollment from before the agent tracked it, or a server that did not say) means "ask the
 * server at the next cycle".
 *
 * @param issuedAt    RFC 3339 time the credential was issued, or null when unknown
 * @param expiresAt   RFC 3339 time it expires, or null when unknown
 * @param lastRenewal RFC 3339 time of the last successful renewal
 * @param failures    renewal attempts that failed in a row
 * @param nextAttempt RFC 3339 time before which a failed renewal is not retried (backoff), or null
 * @param lastError   why the last renewal attempt failed, or null
 */
public record CredentialInfo(String issuedAt, String expiresAt, String lastRenewal, long failures,
        String nextAttempt, String lastError) implements JsonWritable {

    public static CredentialInfo unknown() {
        return new CredentialInfo(null, null, null, 0, null, null);
    }

    /**
     * A credential with this lifetime, as the server stated it; unknown when either time is missing or not an
     * RFC 3339 instant, or when it would end before it began.
     */
    public static CredentialInfo issued(String issuedAt, String expiresAt) {
        Optional<Instant> from = instant(issuedAt);
        Optional<Instant> to = instant(expiresAt);
        if (from.isEmpty() || to.isEmpty() || !to.get().isAfter(from.get())) {
            return unknown();
        }
        return new CredentialInfo(from.get().toString(), to.get().toString(), null, 0, null, null);
    }

    public static CredentialInfo fromJson(JsonObject o) throws JsonException {
        return new CredentialInfo(o.string("issued_at"), o.string("expires_at"), o.string("last_renewal"),
                o.longValue("failures"), o.string("next_attempt"), o.string("last_error"));
    }

    @Override
    public void writeJson(JsonWriter w) {
        w.beginObject().field("issued_at", issuedAt).field("expires_at", expiresAt).field("last_renewal", lastRenewal)
                .field("failures", failures).field("next_attempt", nextAttempt).field("last_error", lastError)
                .endObject();
    }

    public boolean known() {
        return expires().isPresent() && instant(issuedAt).isPresent();
    }

    public Optional<Instant> expires() {
        return instant(expiresAt);
    }

    /** Two thirds into the credential's lifetime: from then on the agent renews it. Empty when unknown. */
    public Optional<Instant> renewAt() {
        if (!known()) {
            return Optional.empty();
        }
        Instant from = instant(issuedAt).orElseThrow();
        Duration life = Duration.between(from, expires().orElseThrow());
        return Optional.of(from.plus(life.multipliedBy(2).dividedBy(3)));
    }

    /** Whether the server must be asked now: the lifetime is unknown, or two thirds of it are over. */
    public boolean due(Instant now) {
        return renewAt().map(t -> !now.isBefore(t)).orElse(true);
    }

    public boolean expired(Instant now) {
        return expires().map(t -> !now.isBefore(t)).orElse(false);
    }

    /** A failed attempt is not retried before {@link #nextAttempt}. */
    public boolean backingOff(Instant now) {
        return instant(nextAttempt).map(now::isBefore).orElse(false);
    }

    /** The same credential with the lifetime the server stated (kept as is when the server's answer is unusable). */
    public CredentialInfo withLifetime(String issued, String expires) {
        CredentialInfo stated = issued(issued, expires);
        return stated.known() ? new CredentialInfo(stated.issuedAt, stated.expiresAt, lastRenewal, failures,
                nextAttempt, lastError) : this;
    }

    /** A new credential, renewed at {@code now}: no failures. */
    public CredentialInfo renewed(String issued, String expires, Instant now) {
        CredentialInfo c = issued(issued, expires);
        return new CredentialInfo(c.issuedAt, c.expiresAt, now.toString(), 0, null, null);
    }

    /** Nothing to retry: the failure count and error are cleared. */
    public CredentialInfo settled() {
        return new CredentialInfo(issuedAt, expiresAt, lastRenewal, 0, null, null);
    }

    public CredentialInfo failed(String error, Instant retryAfter) {
        return new CredentialInfo(issuedAt, expiresAt, lastRenewal, failures + 1, retryAfter.toString(), error);
    }

    static Optional<Instant> instant(String s) {
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
