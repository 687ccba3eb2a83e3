package dev.keyward.ca.policy;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the policy allows for one request: the certificate fields the server then signs with.
 * Critical options and extensions are sorted by name, as PROTOCOL.certkeys requires. Host certificates have
 * neither.
 *
 * @param principals      principals in request (or default) order, no duplicates
 * @param ttl             lifetime; the server sets valid-before to valid-after plus this
 * @param keyId           key ID (without a serial; the server logs the serial next to it)
 * @param criticalOptions forced critical options (force-command, source-address), name to value
 * @param extensions      extension names (all flags with empty data)
 */
public record Decision(List<String> principals, Duration ttl, String keyId, SortedMap<String, String> criticalOptions,
        SortedSet<String> extensions) {

    public Decision {
        principals = List.copyOf(principals);
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(keyId, "keyId");
        criticalOptions = Collections.unmodifiableSortedMap(new TreeMap<>(criticalOptions));
        extensions = Collections.unmodifiableSortedSet(new TreeSet<>(extensions));
    }
}
