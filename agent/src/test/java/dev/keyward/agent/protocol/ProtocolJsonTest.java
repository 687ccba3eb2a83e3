package dev.keyward.agent.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.agent.cycle.AgentStatus;
import dev.keyward.agent.usage.ReadPosition;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonException;
import dev.keyward.ca.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Every record of the wire contract (and the agent's status file) written and read back. The expected bytes are
 * what Jackson wrote before the agent had its own codec: the server reads them, old spool and status files hold
 * them, and the inventory hash is taken over them, so they must not change.
 */
class ProtocolJsonTest {
    static final UsageEvent PLAIN = new UsageEvent("f803.1a2b", "2026-11-29T10:05:07Z", "deploy", "SHA256:a", "ED25519",
            null, null, null, "10.1.2.3", 50522, "accepted", "");
    static final UsageEvent CERT = new UsageEvent("x", "t", null, "SHA256:b", "ECDSA-CERT", "18446744073709551615",
            "alice@example", "SHA256:c", null, null, "cert_invalid", "expired\ttab\u0001");
    static final InventoryKey KEY = new InventoryKey("alice", "/home/alice/.ssh/authorized_keys", 3, "user", "ssh-rsa",
            1024, "SHA256:z", "old \ud83d\ude00 laptop", List.of("no-pty"), "RSA key is 1024 bits");

    static AgentState state() {
        Map<String, AgentState.AccountState> acc = new LinkedHashMap<>();
        acc.put("deploy", new AgentState.AccountState(List.of(
                new AgentState.DesiredKey("ak_1", null, List.of("from=\"10.0.0.0/8\"", "no-pty"), "ssh-ed25519 AAAA",
                        "ci \u00e9 key", "2027-01-01T00:00:00Z"),
                new AgentState.DesiredKey("ak_2", "restrict ssh-ed25519 AAAA backup", null, null, null, null)),
                List.of(new AgentState.PurgeEntry("SHA256:x", "revoked", true),
                        new AgentState.PurgeEntry("SHA256:y", null, false))));
        acc.put("empty", new AgentState.AccountState(List.of(), null));
        return new AgentState("h_1", "managed", acc, new AgentState.Trust(List.of("ecdsa-sha2-nistp256 AAAA ca"), 7),
                new AgentState.KrlRef(42, "/api/v1/krl", "9f86"),
                new AgentState.HostCertHints(true, "/api/v1/agent/host-certs"));
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static <T> void roundTrip(T value, JsonObject.Reader<T> reader, String expected) throws Exception {
        byte[] written = Json.write(value);
        assertEquals(expected, utf8(written));
        assertEquals(value, Json.read(written, reader));
    }

    @Test
    void agentStateRoundTrips() throws Exception {
        roundTrip(state(), AgentState::fromJson, "{\"host_id\":\"h_1\",\"mode\":\"managed\",\"accounts\":{\"deploy\":{\"keys\":[{\"id\":\"ak_1\",\"line\":null"
                + ",\"options\":[\"from=\\\"10.0.0.0/8\\\"\",\"no-pty\"],\"key\":\"ssh-ed25519 AAAA\",\"comment\":\"ci é key"
                + "\",\"expires_at\":\"2027-01-01T00:00:00Z\"},{\"id\":\"ak_2\",\"line\":\"restrict ssh-ed25519 AAAA ba"
                + "ckup\",\"options\":null,\"key\":null,\"comment\":null,\"expires_at\":null}],\"purge\":[{\"fingerprin"
                + "t\":\"SHA256:x\",\"reason\":\"revoked\",\"confirmed\":true},{\"fingerprint\":\"SHA256:y\",\"reason\":nu"
                + "ll,\"confirmed\":false}]},\"empty\":{\"keys\":[],\"purge\":null}},\"trust\":{\"user_ca_keys\":[\"ecds"
                + "a-sha2-nistp256 AAAA ca\"],\"version\":7},\"krl\":{\"version\":42,\"url\":\"/api/v1/krl\",\"sha256\":"
                + "\"9f86\"},\"host_certs\":{\"renew_now\":true,\"url\":\"/api/v1/agent/host-certs\"}}");
        roundTrip(new AgentState(null, null, null, null, null, null), AgentState::fromJson,
                "{\"host_id\":null,\"mode\":null,\"accounts\":null,\"trust\":null,\"krl\":null,\"host_certs\":null}");
    }

    @Test
    void enrollmentAndRenewalRoundTrip() throws Exception {
        roundTrip(new EnrollRequest("kwj_\"x\"", "web-01", List.of("ssh-ed25519 AAAA", "ecdsa AAAA")),
                EnrollRequest::fromJson, "{\"join_token\":\"kwj_\\\"x\\\"\",\"hostname\":\"web-01\",\"host_keys\":[\"ssh-ed25519 AAAA\",\"ecdsa AAA"
                + "A\"]}");
        roundTrip(new EnrollResponse("h_1", "kwh_1", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z",
                List.of("cert1")), EnrollResponse::fromJson, "{\"host_id\":\"h_1\",\"credential\":\"kwh_1\","
                + "\"credential_issued_at\":\"2026-01-01T00:00:00Z\",\"credential_expires_at\":\"2027-01-01T00:00:00Z\","
                + "\"host_certs\":[\"cert1\"]}");
        // a server that does not state the credential's lifetime: absent fields are null
        assertEquals(new EnrollResponse("h_1", "kwh_1", null, null, List.of()), Json.read(
                "{\"host_id\":\"h_1\",\"credential\":\"kwh_1\",\"host_certs\":[]}".getBytes(StandardCharsets.UTF_8),
                EnrollResponse::fromJson));
        roundTrip(new CredentialChallenge("kwc_x", "2026-01-01T00:05:00Z", "2026-01-01T00:00:00Z",
                "2027-01-01T00:00:00Z"), CredentialChallenge::fromJson, "{\"challenge\":\"kwc_x\",\"expires_at\":"
                + "\"2026-01-01T00:05:00Z\",\"credential_issued_at\":\"2026-01-01T00:00:00Z\",\"credential_expires_at\":"
                + "\"2027-01-01T00:00:00Z\"}");
        roundTrip(new CredentialRequest("kwc_x", "ssh-ed25519 AAAA", "-----BEGIN SSH SIGNATURE-----\nU1NI\n"),
                CredentialRequest::fromJson, "{\"challenge\":\"kwc_x\",\"host_key\":\"ssh-ed25519 AAAA\",\"signature\":"
                + "\"-----BEGIN SSH SIGNATURE-----\\nU1NI\\n\"}");
        roundTrip(new CredentialResponse("kwt_2", "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                CredentialResponse::fromJson, "{\"credential\":\"kwt_2\",\"issued_at\":\"2026-01-01T00:00:00Z\","
                + "\"expires_at\":\"2027-01-01T00:00:00Z\"}");
        roundTrip(new HostCertRequest(List.of("k1", "k2")), HostCertRequest::fromJson, "{\"host_keys\":[\"k1\",\"k2\"]}");
        roundTrip(new HostCertResponse(List.of()), HostCertResponse::fromJson, "{\"host_certs\":[]}");
    }

    @Test
    void usageRoundTrips() throws Exception {
        roundTrip(PLAIN, UsageEvent::fromJson, "{\"id\":\"f803.1a2b\",\"time\":\"2026-11-29T10:05:07Z\",\"account\":\"deploy\",\"fingerprint\":\"SHA256"
                + ":a\",\"key_type\":\"ED25519\",\"source_ip\":\"10.1.2.3\",\"source_port\":50522,\"kind\":\"accepted\",\"d"
                + "etail\":\"\"}");
        roundTrip(new UsageBatch(List.of(PLAIN, CERT)), UsageBatch::fromJson,
                "{\"events\":[{\"id\":\"f803.1a2b\",\"time\":\"2026-11-29T10:05:07Z\",\"account\":\"deploy\",\"fingerpri"
                + "nt\":\"SHA256:a\",\"key_type\":\"ED25519\",\"source_ip\":\"10.1.2.3\",\"source_port\":50522,\"kind\":\"a"
                + "ccepted\",\"detail\":\"\"},{\"id\":\"x\",\"time\":\"t\",\"fingerprint\":\"SHA256:b\",\"key_type\":\"ECDSA-CE"
                + "RT\",\"cert_serial\":\"18446744073709551615\",\"key_id\":\"alice@example\",\"ca_fingerprint\":\"SHA2"
                + "56:c\",\"kind\":\"cert_invalid\",\"detail\":\"expired\\ttab\\u0001\"}]}");
        roundTrip(new UsageAck(List.of("a", "b")), UsageAck::fromJson, "{\"acknowledged\":[\"a\",\"b\"]}");
        // the spool's files: a top-level array
        byte[] spool = Json.write(List.of(PLAIN, CERT));
        assertEquals(List.of(PLAIN, CERT), Json.readList(spool, UsageEvent::fromJson));
        assertEquals("[{\"id\":\"f803.1a2b\",\"time\":\"2026-11-29T10:05:07Z\",\"account\":\"deploy\",\"fingerprint\":\"SHA25"
                + "6:a\",\"key_type\":\"ED25519\",\"source_ip\":\"10.1.2.3\",\"source_port\":50522,\"kind\":\"accepted\",\""
                + "detail\":\"\"}]", utf8(Json.write(List.of(PLAIN))));
    }

    @Test
    void inventoryRoundTrips() throws Exception {
        roundTrip(KEY, InventoryKey::fromJson, "{\"account\":\"alice\",\"file\":\"/home/alice/.ssh/authorized_keys\",\"line\":3,\"source\":\"user\",\"t"
                + "ype\":\"ssh-rsa\",\"bits\":1024,\"fingerprint\":\"SHA256:z\",\"comment\":\"old \\uD83D\\uDE00 laptop\","
                + "\"options\":[\"no-pty\"],\"problem\":\"RSA key is 1024 bits\"}");
        roundTrip(new InventoryReport("00ff", List.of(KEY, new InventoryKey("b", "f", 1, "keyward", "t", -1, "fp", null,
                null, ""))), InventoryReport::fromJson, "{\"hash\":\"00ff\",\"keys\":[{\"account\":\"alice\",\"file\":\"/home/alice/.ssh/authorized_keys\",\"lin"
                + "e\":3,\"source\":\"user\",\"type\":\"ssh-rsa\",\"bits\":1024,\"fingerprint\":\"SHA256:z\",\"comment\":\"ol"
                + "d \\uD83D\\uDE00 laptop\",\"options\":[\"no-pty\"],\"problem\":\"RSA key is 1024 bits\"},{\"account\""
                + ":\"b\",\"file\":\"f\",\"line\":1,\"source\":\"keyward\",\"type\":\"t\",\"bits\":-1,\"fingerprint\":\"fp\",\"com"
                + "ment\":null,\"options\":null,\"problem\":\"\"}]}");
        roundTrip(new InventoryAck("abc"), InventoryAck::fromJson, "{\"hash\":\"abc\"}");
    }

    @Test
    void agentStatusRoundTrips() throws Exception {
        roundTrip(new AgentStatus("https://ca.example", "h_1", "\"etag\"", null, 7, -1L, "2026-11-29T10:05:07Z", null,
                List.of("state: x"), "ab", new ReadPosition(2049, 131, 1L << 40, 3), "s=1;i=2"), AgentStatus::fromJson,
                "{\"server\":\"https://ca.example\",\"host_id\":\"h_1\",\"state_etag\":\"\\\"etag\\\"\",\"krl_etag\":null,\""
                + "trust_version\":7,\"krl_version\":18446744073709551615,\"last_attempt\":\"2026-11-29T10:05:07Z\",\"last_success\":n"
                + "ull,\"last_errors\":[\"state: x\"],\"inventory_hash\":\"ab\",\"log_position\":{\"dev\":2049,\"ino\":13"
                + "1,\"offset\":1099511627776,\"generation\":3},\"journal_cursor\":\"s=1;i=2\"}");
        roundTrip(AgentStatus.empty(), AgentStatus::fromJson, "{\"server\":null,\"host_id\":null,\"state_etag\":null,\"krl_etag\":null,\"trust_version\":-1,\"krl_"
                + "version\":null,\"last_attempt\":null,\"last_success\":null,\"last_errors\":[],\"inventory_hash\":nu"
                + "ll,\"log_position\":null,\"journal_cursor\":null}");
    }

    /** The inventory hash of a fixed key list, as Jackson's bytes gave it: escapes, non-ASCII and nulls included. */
    @Test
    void inventoryHashIsUnchanged() throws Exception {
        List<InventoryKey> keys = new ArrayList<>();
        keys.add(new InventoryKey("root", "/root/.ssh/authorized_keys", 1, "user", "ssh-ed25519", 256,
                "SHA256:abc", "me@host", List.of("from=\"10.0.0.0/8\"", "no-pty", "command=\"a\\\"b\""), ""));
        keys.add(new InventoryKey("a\"\\\n\t\b\f\r\u0001\u001f\u007f/\u00e9\u20ac\ud83d\ude00", null, 7, "keyward",
                "ssh-dss", -1, "SHA256:x", "", List.of(), "DSA keys"));
        keys.add(new InventoryKey("u", "f", 1, "user", "t", 2048, "fp", null, null, null));
        assertEquals("[{\"account\":\"root\",\"file\":\"/root/.ssh/authorized_keys\",\"line\":1,\"source\":\"user\",\"type\":\""
                + "ssh-ed25519\",\"bits\":256,\"fingerprint\":\"SHA256:abc\",\"comment\":\"me@host\",\"options\":[\"from="
                + "\\\"10.0.0.0/8\\\"\",\"no-pty\",\"command=\\\"a\\\\\\\"b\\\"\"],\"problem\":\"\"},{\"account\":\"a\\\"\\\\\\n\\t\\b\\f\\r"
                + "\\u0001\\u001F/é€\\uD83D\\uDE00\",\"file\":null,\"line\":7,\"source\":\"keyward\",\"type\":\"ssh-dss\",\""
                + "bits\":-1,\"fingerprint\":\"SHA256:x\",\"comment\":\"\",\"options\":[],\"problem\":\"DSA keys\"},{\"acco"
                + "unt\":\"u\",\"file\":\"f\",\"line\":1,\"source\":\"user\",\"type\":\"t\",\"bits\":2048,\"fingerprint\":\"fp\",\""
                + "comment\":null,\"options\":null,\"problem\":null}]", utf8(Json.write(keys)));
        Random r = new Random(7);
        for (int i = 0; i < 2000; i++) {
            char[] c = new char[r.nextInt(12)];
            for (int j = 0; j < c.length; j++) {
                int kind = r.nextInt(4);
                c[j] = (char) (kind == 0 ? r.nextInt(0x80) : kind == 1 ? r.nextInt(0x800) : kind == 2
                        ? 0x20 + r.nextInt(0x5f) : r.nextInt(0xD800));
            }
            String s = new String(c);
            keys.add(new InventoryKey(s, s + "/f", i, "user", s, i - 1000, s, s, List.of(s, s + s), s));
        }
        byte[] json = Json.write(keys);
        assertEquals("4eaf9de4779f22adce073ccd724b8f2328fbcf85a815ebddc682314861640ab4",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json)));
        assertEquals(keys, Json.readList(json, InventoryKey::fromJson));
    }

    @Test
    void loneSurrogatesAreWrittenAsReplacementCharacters() throws Exception {
        byte[] w = Json.write(List.of("a\ud83db", "\ude00"));
        assertEquals("[\"a\ufffdb\",\"\ufffd\"]", utf8(w));
        assertEquals(List.of("a\ufffdb", "\ufffd"), Json.parse(w));
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        AgentState s = Json.read(("{\"future\":{\"a\":[1,2.5e9,{\"b\":null}]},\"mode\":\"exclusive\","
                + "\"trust\":{\"user_ca_keys\":[],\"version\":1,\"signed\":true},"
                + "\"krl\":{\"version\":3,\"extra\":99999999999999999999999}}").getBytes(StandardCharsets.UTF_8),
                AgentState::fromJson);
        assertEquals("exclusive", s.mode());
        assertEquals(3, s.krl().version());
        assertNull(s.accounts());
        UsageAck ack = Json.read("{\"acknowledged\":[\"a\"],\"rejected\":[{\"id\":\"b\"}],\"stored\":1}"
                .getBytes(StandardCharsets.UTF_8), UsageAck::fromJson);
        assertEquals(List.of("a"), ack.acknowledged());
    }

    static JsonException wrongShape(String doc) {
        return assertThrows(JsonException.class, () -> Json.read(doc.getBytes(StandardCharsets.UTF_8),
                AgentState::fromJson));
    }

    /** As with Jackson as the agent configured it, a primitive field must be present and not null. */
    @Test
    void primitiveFieldsAreRequired() {
        assertEquals("trust.version: expected an integer from -2^63 to 2^63-1, got nothing",
                wrongShape("{\"trust\":{\"user_ca_keys\":[]}}").getMessage());
        assertEquals("krl.version: expected an integer from 0 to 2^64-1, got null",
                wrongShape("{\"krl\":{\"version\":null}}").getMessage());
        assertEquals("accounts.a.purge[1].confirmed: expected true or false, got nothing",
                wrongShape("{\"accounts\":{\"a\":{\"purge\":[{\"confirmed\":true},{}]}}}").getMessage());
    }

    /** Unlike Jackson's defaults, no coercion: a number is not a string, nor a string or a fraction a number. */
    @Test
    void typesAreNotCoerced() {
        wrongShape("{\"krl\":{\"version\":\"7\"}}");
        wrongShape("{\"krl\":{\"version\":1.5}}");
        wrongShape("{\"krl\":{\"version\":1e2}}");
        // krl.version is a uint64 (PROTOCOL.krl): 2^63 to 2^64-1 are versions, 2^64 and negatives are not
        assertTrue(wrongShape("{\"krl\":{\"version\":18446744073709551616}}").getMessage()
                .endsWith("got the number 18446744073709551616"));
        wrongShape("{\"krl\":{\"version\":-1}}");
        wrongShape("{\"krl\":{\"version\":-9223372036854775809}}");
        assertTrue(wrongShape("{\"trust\":{\"version\":9223372036854775808}}").getMessage()
                .endsWith("got the number 9223372036854775808"));
        wrongShape("{\"mode\":5}");
        wrongShape("{\"host_certs\":{\"renew_now\":\"true\"}}");
        wrongShape("{\"accounts\":[]}");
        wrongShape("{\"accounts\":{\"a\":[]}}");
        assertEquals("accounts.a.keys[0].options[1]: expected a string, got an object",
                wrongShape("{\"accounts\":{\"a\":{\"keys\":[{\"options\":[\"x\",{}]}]}}}").getMessage());
        assertThrows(JsonException.class, () -> Json.read("{\"line\":2147483648,\"bits\":1}"
                .getBytes(StandardCharsets.UTF_8), InventoryKey::fromJson));
    }

    @Test
    void prettyPrintsForPeople() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("server", "https://x");
        m.put("host_id", null);
        m.put("enrolled", true);
        m.put("host_certs", List.of(Map.of("key", "/etc/ssh/k.pub")));
        m.put("last_errors", List.of());
        assertEquals("{\n  \"server\": \"https://x\",\n  \"host_id\": null,\n  \"enrolled\": true,\n"
                + "  \"host_certs\": [\n    {\n      \"key\": \"/etc/ssh/k.pub\"\n    }\n  ],\n"
                + "  \"last_errors\": []\n}", Json.pretty(m));
    }
}
