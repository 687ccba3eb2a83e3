package dev.keyward.web.service;

import java.util.Objects;
import java.util.Optional;

/**
 * One element of an agent report as it arrived, read on its own so that one bad element does not fail the whole
 * report: either its {@code value}, or the {@code problem} that kept it from being read (a wrong type, a number
 * out of range, text that cannot be stored), with the element's {@code id} where it had a string one.
 */
public record Received<T>(Optional<T> value, Optional<String> id, Optional<String> problem) {
    public Received {
        Objects.requireNonNull(value);
        Objects.requireNonNull(id);
        Objects.requireNonNull(problem);
        if (value.isPresent() == problem.isPresent()) {
            throw new IllegalArgumentException("a received element has a value or a problem, not both");
        }
    }

    public static <T> Received<T> read(T value) {
        return new Received<>(Optional.of(value), Optional.empty(), Optional.empty());
    }

    public static <T> Received<T> unreadable(Optional<String> id, String problem) {
        return new Received<>(Optional.empty(), id, Optional.of(problem));
    }
}
