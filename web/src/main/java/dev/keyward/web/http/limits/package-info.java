/**
 * What keeps slow or greedy clients from holding the server: deadlines for a request's headers and body on each
 * HTTP/1.1 connection ({@link dev.keyward.web.http.limits.RequestDeadlines}), a cap on open connections per client
 * address ({@link dev.keyward.web.http.limits.ConnectionsPerSource}), the client address behind trusted proxies
 * ({@link dev.keyward.web.http.limits.ClientAddress}) and bounded token buckets for rate limits
 * ({@link dev.keyward.web.http.limits.TokenBuckets}). The minimum body data rate is Jetty's own
 * {@code MinimumDataRateHandler}. Which routes are rate-limited, and the 429 answer, are in
 * {@link dev.keyward.web.http.RateLimits}.
 */
package dev.keyward.web.http.limits;
