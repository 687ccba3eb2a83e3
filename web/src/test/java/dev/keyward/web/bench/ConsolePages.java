package dev.keyward.web.bench;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The admin console's pages as a browser's first visit and as repeated visits see them, from a server that holds
 * the benchmark's whole run (100,000+ certificates and their audit entries), so that a list not paged in the
 * database or a query without an index shows up. Signs in with the admin token (the sign-in form), then loads each
 * page once (the first visit: code the server has not run yet) and {@link #LOADS} more times. The time is from the
 * request to the last byte of the HTML; a browser adds its own rendering, the stylesheet and the script (served
 * from the jar, cached).
 */
final class ConsolePages {
    static final List<String> PAGES = List.of("/", "/certificates", "/certificates?status=revoked", "/hosts", "/keys",
            "/audit", "/ca-keys");
    static final int LOADS = 30;

    private ConsolePages() {
    }

    /** The slowest first visit of a page, in ms (the figure the target judges), after printing each page's times. */
    static double measure(String host, int port, String adminToken, Consumer<String> out)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://" + host + ":" + port;
        HttpResponse<String> signIn = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(adminToken,
                        StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = signIn.headers().allValues("Set-Cookie").stream().map(c -> c.split(";", 2)[0])
                .filter(c -> c.contains("keyward_console=")).findFirst().orElseThrow(() -> new IllegalStateException(
                        "the console's sign-in gave no session cookie: HTTP " + signIn.statusCode()));
        out.accept(String.format(Locale.ROOT, "  %-30s %8s %8s %8s %9s", "page", "first ms", "p50 ms", "max ms",
                "KB"));
        double worstFirst = 0;
        for (String page : PAGES) {
            HttpRequest get = HttpRequest.newBuilder(URI.create(base + page)).header("Cookie", cookie).GET().build();
            List<Long> times = new ArrayList<>();
            int bytes = 0;
            for (int i = 0; i <= LOADS; i++) {
                long t0 = System.nanoTime();
                HttpResponse<byte[]> r = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
                times.add(System.nanoTime() - t0);
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("console page " + page + " gave HTTP " + r.statusCode());
                }
                bytes = r.body().length;
            }
            double first = times.get(0) / 1e6;
            worstFirst = Math.max(worstFirst, first);
            List<Long> rest = new ArrayList<>(times.subList(1, times.size()));
            rest.sort(null);
            out.accept(String.format(Locale.ROOT, "  %-30s %8.1f %8.1f %8.1f %9.1f", page, first,
                    rest.get(rest.size() / 2) / 1e6, rest.get(rest.size() - 1) / 1e6, bytes / 1024.0));
        }
        return worstFirst;
    }
}
