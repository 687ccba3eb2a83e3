package dev.keyward.web.fuzz;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * The JVM's name resolver for the web module's tests (registered in META-INF/services): the built-in one, except
 * while a fuzz target has {@link #refuse() refused} look-ups. Then a name is not sent to DNS (a fuzzer would send
 * thousands of made-up names a second, and the server promises never to resolve names it reads from clients or
 * its configuration); the attempt is refused and recorded, and the target fails on it.
 */
public final class NameLookups extends InetAddressResolverProvider {
    private static volatile boolean refusing;
    private static final List<String> ATTEMPTS = new CopyOnWriteArrayList<>();

    /** Until {@link #allow()}, names other than localhost are refused and recorded. */
    public static void refuse() {
        ATTEMPTS.clear();
        refusing = true;
    }

    /** Names are resolved again (other tests in the JVM may need them). */
    public static void allow() {
        refusing = false;
    }

    /** The names looked up since the last call, and forgets them. */
    public static List<String> takeAttempts() {
        List<String> out = List.copyOf(ATTEMPTS);
        ATTEMPTS.clear();
        return out;
    }

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (refusing && !host.equalsIgnoreCase("localhost")) {
                    ATTEMPTS.add(host);
                    throw new UnknownHostException(host + ": name look-ups are refused while fuzzing");
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                InetAddress a = InetAddress.getByAddress(addr);
                if (refusing && a.isLoopbackAddress()) {
                    return "localhost"; // Jazzer's network check names the test's own connections so
                }
                if (refusing) {
                    ATTEMPTS.add(a.getHostAddress());
                    throw new UnknownHostException("reverse look-ups are refused while fuzzing");
                }
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "keyward-test-no-lookups";
    }
}
