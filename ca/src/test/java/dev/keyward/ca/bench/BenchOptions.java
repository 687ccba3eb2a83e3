package dev.keyward.ca.bench;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of one benchmark run: from command-line flags, else from environment variables, else defaults.
 *
 * @param measure     wall-clock limit of each measurement
 * @param warmup      JIT warm-up per in-process workload, before its first measurement
 * @param rounds      in-process measurements are repeated this often, interleaved, and the best kept
 * @param keygenMax   at most this many {@code ssh-keygen -s} processes per measurement (file key)
 * @param hsmMax      at most this many {@code ssh-keygen -s -D} processes (token key)
 * @param krlRounds   builds of our KRL: the first (cold) plus the warm ones, best of those reported
 * @param krlKeygen   {@code ssh-keygen -k} runs (best reported)
 * @param seed        seed of the KRL's scattered serials
 * @param strict      exit 1 when a target is missed (for CI; shared machines make this noisy)
 */
record BenchOptions(Duration measure, Duration warmup, int rounds, int keygenMax, int hsmMax, int krlRounds,
        int krlKeygen, long seed, boolean strict) {

    static final String USAGE = """
            usage: scripts/bench-ca [--no-build] [options]
              --seconds S       time limit of each measurement            (BENCH_SECONDS, default 3)
              --warmup S        JIT warm-up per in-process workload       (BENCH_WARMUP, default 2)
              --rounds N        repeat in-process measurements, keep best (BENCH_ROUNDS, default 3)
              --keygen-max N    max ssh-keygen -s runs per measurement    (BENCH_KEYGEN_MAX, default 500)
              --hsm-max N       max ssh-keygen -s -D runs                 (BENCH_HSM_MAX, default 200)
              --krl-rounds N    builds of our KRL, first one cold         (BENCH_KRL_ROUNDS, default 5)
              --krl-keygen N    ssh-keygen -k runs, best reported         (BENCH_KRL_KEYGEN, default 1)
              --seed N          seed for the KRL's scattered serials      (BENCH_SEED, default 11)
              --strict          exit 1 if a target is missed              (BENCH_STRICT=1)
            """;

    static BenchOptions parse(String[] args, Map<String, String> env) {
        double seconds = number(env, "BENCH_SECONDS", 3);
        double warmup = number(env, "BENCH_WARMUP", 2);
        long rounds = integer(env, "BENCH_ROUNDS", 3);
        long keygenMax = integer(env, "BENCH_KEYGEN_MAX", 500);
        long hsmMax = integer(env, "BENCH_HSM_MAX", 200);
        long krlRounds = integer(env, "BENCH_KRL_ROUNDS", 5);
        long krlKeygen = integer(env, "BENCH_KRL_KEYGEN", 1);
        long seed = integer(env, "BENCH_SEED", 11);
        boolean strict = "1".equals(env.get("BENCH_STRICT"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--strict")) {
                strict = true;
                continue;
            }
            if (a.equals("-h") || a.equals("--help")) {
                throw new UsageException(null);
            }
            if (i + 1 >= args.length) {
                throw new UsageException("unknown option or missing value: " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--seconds" -> seconds = parse(a, v);
                case "--warmup" -> warmup = parse(a, v);
                case "--rounds" -> rounds = parseInteger(a, v);
                case "--keygen-max" -> keygenMax = parseInteger(a, v);
                case "--hsm-max" -> hsmMax = parseInteger(a, v);
                case "--krl-rounds" -> krlRounds = parseInteger(a, v);
                case "--krl-keygen" -> krlKeygen = parseInteger(a, v);
                case "--seed" -> seed = parseInteger(a, v);
                default -> throw new UsageException("unknown option: " + a);
            }
        }
        if (seconds <= 0 || seconds > 600 || warmup < 0 || warmup > 600) {
            throw new UsageException("--seconds must be in (0, 600] and --warmup in [0, 600]");
        }
        if (rounds < 1 || keygenMax < 1 || hsmMax < 1 || krlRounds < 2 || krlKeygen < 1
                || Math.max(Math.max(rounds, krlRounds), krlKeygen) > 100 || Math.max(keygenMax, hsmMax) > 100_000) {
            throw new UsageException("--rounds, --krl-keygen 1..100, --krl-rounds 2..100,"
                    + " --keygen-max and --hsm-max 1..100000");
        }
        return new BenchOptions(Duration.ofMillis((long) (seconds * 1000)), Duration.ofMillis((long) (warmup * 1000)),
                (int) rounds, (int) keygenMax, (int) hsmMax, (int) krlRounds, (int) krlKeygen, seed, strict);
    }

    String describe() {
        return String.format(Locale.ROOT, "%.1f s per measurement, %.1f s warm-up, best of %d round%s",
                measure.toMillis() / 1000.0, warmup.toMillis() / 1000.0, rounds, rounds == 1 ? "" : "s");
    }

    private static double number(Map<String, String> env, String name, double fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : parse(name, v);
    }

    private static long integer(Map<String, String> env, String name, long fallback) {
        String v = env.get(name);
        return v == null || v.isBlank() ? fallback : parseInteger(name, v);
    }

    private static long parseInteger(String name, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be an integer, got '" + value + "'");
        }
    }

    private static double parse(String name, String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number, got '" + value + "'");
        }
    }

    /** A bad flag or variable; the message (null for --help) is printed with the usage. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
