package dev.keyward.web.hosts;

import static dev.keyward.web.hosts.HostsApiTest.m;
import static dev.keyward.web.hosts.HostsApiTest.texts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.SshKeyLines;
import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/keys} pages in the database: paging through the whole inventory with any page size (by
 * cursor or by offset) returns every key once, in the database's order of fingerprints, each complete (all its
 * locations, last use, flags); filters by flag, fingerprint, account and host page the same way.
 */
class KeyInventoryPagingTest {
    static final int INVENTORY_KEYS = 22;
    static final String QUERY = "unused_days=30&old_days=50";

    @TempDir
    static Path dir;
    static TestServer server;
    static Api api;
    static String admin;
    /** The expected inventory: fingerprint to its expected entry. */
    static final Map<String, Expected> expected = new LinkedHashMap<>();
    static List<String> order;
    static Instant lastUseOfKey1;

    /** What the test put where: locations as "host account" (host "-" for a label key) and flags. */
    record Expected(String fingerprint, Set<String> locations, List<String> flags) {
    }

    static String fp(int i) {
        return "SHA256:" + String.format("Key%04d", i) + "x".repeat(36);
    }

    @BeforeAll
    static void start() {
        server = TestServer.start(dir.resolve("home"), TestDatabases.create());
        api = server.api();
        admin = server.adminToken();
        String h1 = enroll("p1.example.com", List.of("web"));
        String h2 = enroll("p2.example.com", List.of("web"));
        String h3 = enroll("p3.example.com", List.of());

        // inventory keys: all in alice's file on p1; every 5th also on p2 (shared by hosts), every 7th also in
        // bob's file on p1 (shared by accounts); key 3 is 1024-bit RSA and key 4 DSA (weak)
        List<Map<String, Object>> p1 = new ArrayList<>();
        List<Map<String, Object>> p2 = new ArrayList<>();
        for (int i = 0; i < INVENTORY_KEYS; i++) {
            String type = i == 3 ? "ssh-rsa" : i == 4 ? "ssh-dss" : "ssh-ed25519";
            int bits = i == 3 || i == 4 ? 1024 : 256;
            Set<String> where = new TreeSet<>(Set.of("p1.example.com alice"));
            p1.add(line("alice", i + 1, type, bits, fp(i)));
            if (i % 5 == 0) {
                p2.add(line("alice", i + 1, type, bits, fp(i)));
                where.add("p2.example.com alice");
            }
            if (i % 7 == 0) {
                p1.add(line("bob", i + 1, type, bits, fp(i)));
                where.add("p1.example.com bob");
            }
            List<String> flags = new ArrayList<>();
            if (i % 5 == 0 || i % 7 == 0) {
                flags.add("shared");
            }
            if (i == 3 || i == 4) {
                flags.add("weak");
            }
            expected.put(fp(i), new Expected(fp(i), where, flags));
        }
        // static keys: carol's on p3 (also found in carol's file there: one place, one account), deploy's for the
        // label web (a place of its own), and a deleted one (not listed)
        String carol = staticKey("carol", "host", "p3.example.com");
        String deploy = staticKey("deploy", "host_label", "web");
        Api.Resp gone = api.post("/api/v1/authorized-keys", admin, Map.of("account", "gone", "host", "p3.example.com",
                "public_key", SshKeyLines.ed25519("gone")));
        assertEquals(200, api.delete("/api/v1/authorized-keys/" + gone.json().get("id").asLong(), admin).status());
        inventory(h1, "1", p1);
        inventory(h2, "2", p2);
        inventory(h3, "3", List.of(line("carol", 1, "ssh-ed25519", 256, carol)));
        expected.put(carol, new Expected(carol, new TreeSet<>(Set.of("p3.example.com carol")), new ArrayList<>()));
        expected.put(deploy, new Expected(deploy, new TreeSet<>(Set.of("- deploy")), new ArrayList<>()));

        // keys 1, 2 and 10 were first seen 100 days ago (old at 50 days); key 2 was used yesterday, key 1 by an
        // account no inventory lists 60 days ago (unused at 30 days), key 10 never
        server.server().database().dsl().execute("UPDATE key_first_seen SET first_seen_at = now() - interval '100"
                + " days' WHERE fingerprint IN ('" + fp(1) + "', '" + fp(2) + "', '" + fp(10) + "')");
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        lastUseOfKey1 = now.minus(Duration.ofDays(60));
        use(h1, "alice", fp(2), now.minus(Duration.ofDays(1)));
        use(h3, "root", fp(1), lastUseOfKey1);
        expected.get(fp(1)).flags().addFirst("unused");
        expected.get(fp(1)).flags().add("old");
        expected.get(fp(2)).flags().add("old");
        expected.get(fp(10)).flags().addFirst("unused");
        expected.get(fp(10)).flags().add("old");

        // the order to expect: the database's own order of these fingerprints
        order = server.server().database().dsl().fetch("SELECT f FROM unnest(?::varchar[]) AS t(f) ORDER BY f",
                (Object) expected.keySet().toArray(new String[0])).getValues(0, String.class);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String enroll(String hostname, List<String> labels) {
        Api.Resp r = api.post("/api/v1/hosts", admin, Map.of("hostname", hostname, "labels", labels));
        assertEquals(201, r.status(), r.toString());
        Api.Resp e = api.post("/api/v1/hosts/enroll", null, Map.of("join_token",
                r.json().get("join_token").asText(), "host_keys", List.of(SshKeyLines.ed25519(hostname))));
        assertEquals(200, e.status(), e.toString());
        return e.json().get("credential").asText();
    }

    static Map<String, Object> line(String account, int line, String type, int bits, String fingerprint) {
        return m("account", account, "file", "/home/" + account + "/.ssh/authorized_keys", "line", line,
                "source", "user", "type", type, "bits", bits, "fingerprint", fingerprint, "comment", "k" + line,
                "options", List.of(), "problem", "");
    }

    static void inventory(String credential, String hash, List<Map<String, Object>> keys) {
        Api.Resp r = api.post("/api/v1/agent/inventory", credential, Map.of("hash", hash.repeat(64), "keys", keys));
        assertEquals(200, r.status(), r.toString());
    }

    static String staticKey(String account, String where, String value) {
        Api.Resp r = api.post("/api/v1/authorized-keys", admin, Map.of("account", account, where, value,
                "public_key", SshKeyLines.ed25519(account)));
        assertEquals(201, r.status(), r.toString());
        return r.json().get("fingerprint").asText();
    }

    static void use(String credential, String account, String fingerprint, Instant at) {
        Api.Resp r = api.post("/api/v1/agent/usage", credential, Map.of("events", List.of(m("id",
                "use-" + account + "-" + fingerprint, "time", at.toString(), "account", account, "fingerprint",
                fingerprint, "key_type", "ED25519", "source_ip", "10.0.0.5", "kind", "accepted", "detail", ""))));
        assertEquals(1, r.json().get("stored").asInt(), r.toString());
    }

    /** Every page of {@code query} by cursor, {@code limit} keys each; checks the page-level fields as it goes. */
    static List<JsonNode> pageThrough(String query, int limit, int expectedTotal) {
        List<JsonNode> all = new ArrayList<>();
        String cursor = null;
        for (int pages = 0; pages < 1000; pages++) {
            Api.Resp r = api.get("/api/v1/keys?" + QUERY + query + "&limit=" + limit
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8)), admin);
            assertEquals(200, r.status(), r.toString());
            JsonNode page = r.json();
            assertTrue(page.get("items").size() <= limit, r.toString());
            page.get("items").forEach(all::add);
            if (cursor == null) {
                assertEquals(expectedTotal, page.get("total").asInt(), query);
                assertTrue(page.get("certificates").isArray(), "the first page lists certificates");
            } else {
                assertFalse(page.has("total"), "total only on the first page");
                assertFalse(page.has("certificates"), "certificates only on the first page");
            }
            if (!page.has("next_cursor")) {
                assertTrue(page.get("items").size() < limit, "a full page has a next cursor");
                return all;
            }
            assertEquals(limit, page.get("items").size());
            cursor = page.get("next_cursor").asText();
            assertEquals(page.get("items").get(limit - 1).get("fingerprint").asText(), cursor);
        }
        throw new AssertionError("no end of pages");
    }

    /** The pages hold exactly the expected keys that match, each once, in order, each complete. */
    static void assertKeys(List<JsonNode> items, Predicate<Expected> which) {
        List<String> want = order.stream().filter(f -> which.test(expected.get(f))).toList();
        assertEquals(want, items.stream().map(e -> e.get("fingerprint").asText()).toList());
        for (JsonNode e : items) {
            Expected x = expected.get(e.get("fingerprint").asText());
            assertEquals(x.flags(), texts(e.get("flags")), e.toString());
            Set<String> where = new HashSet<>();
            e.get("locations").forEach(l -> where.add((l.has("host") ? l.get("host").asText() : "-") + " "
                    + l.get("account").asText()));
            assertEquals(x.locations(), where, e.toString());
            assertTrue(e.has("first_seen_at"), e.toString());
        }
    }

    @Test
    void pagingByCursorReturnsEveryKeyOnceInOrderWithItsLocationsAndFlags() {
        for (int limit : List.of(1, 4, 5, 24, 1000)) {
            assertKeys(pageThrough("", limit, expected.size()), x -> true);
        }
        JsonNode key1 = pageThrough("&fingerprint=" + fp(1), 10, 1).getFirst();
        assertEquals(lastUseOfKey1.toString(), key1.get("last_used_at").asText(), key1.toString());
        JsonNode carol = pageThrough("&account=carol", 10, 1).getFirst();
        assertEquals(Set.of("static", "user"), new HashSet<>(carol.get("locations").findValuesAsText("source")));
    }

    @Test
    void offsetPagingStillWorks() {
        List<String> got = new ArrayList<>();
        for (int offset = 0; offset < expected.size(); offset += 7) {
            JsonNode page = api.get("/api/v1/keys?" + QUERY + "&limit=7&offset=" + offset, admin).json();
            assertEquals(expected.size(), page.get("total").asInt());
            assertEquals(offset, page.get("offset").asInt());
            page.get("items").forEach(e -> got.add(e.get("fingerprint").asText()));
        }
        assertEquals(order, got);
    }

    @Test
    void filtersPageLikeTheWholeInventory() {
        for (String flag : List.of("unused", "shared", "weak", "old")) {
            Predicate<Expected> has = x -> x.flags().contains(flag);
            int n = (int) expected.values().stream().filter(has).count();
            assertTrue(n > 0, flag);
            for (int limit : List.of(1, 2, 3)) {
                assertKeys(pageThrough("&flag=" + flag, limit, n), has);
            }
        }
        Predicate<Expected> bob = x -> x.locations().contains("p1.example.com bob");
        assertKeys(pageThrough("&account=bob", 2, 4), bob);
        // p2's keys: its inventory and the static key for its label
        Predicate<Expected> p2 = x -> x.locations().stream().anyMatch(l -> l.startsWith("p2.") || l.startsWith("-"));
        assertKeys(pageThrough("&host=p2.example.com", 2, 6), p2);
        assertKeys(pageThrough("&host=p2.example.com&flag=shared", 2, 5), p2.and(x -> x.flags().contains("shared")));
        assertKeys(pageThrough("&host=p1.example.com&account=bob&flag=shared", 3, 4), bob);
        assertKeys(pageThrough("&fingerprint=" + fp(3), 3, 1), x -> x.fingerprint().equals(fp(3)));
        assertKeys(pageThrough("&host=nowhere.example.com", 3, 0), x -> false);
        assertKeys(pageThrough("&account=nobody", 3, 0), x -> false);
    }

    @Test
    void badParametersAre400AndOnlyAdminsAndAuditorsRead() {
        for (String q : List.of("limit=0", "limit=1001", "limit=99999999999", "limit=ten", "offset=-1",
                "cursor=nonsense", "cursor=" + fp(1).substring(0, 20), "cursor=" + fp(1) + "&offset=3",
                "flag=stale", "fingerprint=MD5:aa", "unused_days=0", "old_days=x", "host=" + "h".repeat(300))) {
            Api.Resp r = api.get("/api/v1/keys?" + q, admin);
            assertEquals(400, r.status(), q + " " + r);
            assertTrue(r.contentType().startsWith("application/problem+json"), q + " " + r.contentType());
        }
        Api.Resp auditor = api.get("/api/v1/keys?limit=3", server.token("auditor", "ann"));
        assertEquals(200, auditor.status(), auditor.toString());
        assertEquals(3, auditor.json().get("items").size());
        assertEquals(403, api.get("/api/v1/keys", server.token("engineer", "eve")).status());
        assertEquals(401, api.get("/api/v1/keys", null).status());
    }
}
