package dev.keyward.web.http;

/** 429: a rate limit was reached; {@code retryAfterSeconds} (at least 1) goes into {@code Retry-After}. */
final class TooManyRequests extends ApiException {
    private final long retryAfterSeconds;

    TooManyRequests(long retryAfterSeconds, String detail) {
        super(429, "Too Many Requests", detail);
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
