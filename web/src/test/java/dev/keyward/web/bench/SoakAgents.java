package dev.keyward.web.bench;

import dev.keyward.agent.protocol.AgentState;
import dev.keyward.agent.protocol.EnrollRequest;
import dev.keyward.agent.protocol.EnrollResponse;
import dev.keyward.agent.protocol.InventoryAck;
import dev.keyward.agent.protocol.InventoryKey;
import dev.keyward.agent.protocol.InventoryReport;
import dev.keyward.agent.protocol.UsageBatch;
import dev.keyward.agent.protocol.UsageEvent;
import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.Sha256;
import dev.keyward.ca.json.Json;
import dev.keyward.ca.json.JsonWriter;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.ca.krl.Krl;
import dev.keyward.web.testing.SshKeyLines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's simulated agents: hosts registered ({@code POST /hosts}) and enrolled ({@code POST /hosts/enroll}
 * with a generated host key), each then running the agent's cycle every 10 to 30 s (uniformly jittered) on a
 * fresh connection, as the agent's {@code HttpURLConnection} does once its 5 s keep-alive has lapsed: {@code GET
 * /agent/state} and {@code GET /krl} with {@code If-None-Match} (no long poll), {@code POST /agent/usage} with the
 * logins its sshd "saw" since (0 to 4, mostly with certificates the soak just issued), and {@code POST
 * /agent/inventory} when its keys changed (about every 10 minutes a key is added or removed). Bodies are the
 * agent's own protocol records ({@code dev.keyward.agent.protocol}); answers other than the agent expects count as
 * failures of their minute.
 */
final class SoakAgents {
    private static final long MIN_INTERVAL_MS = 10_000;
    private static final long MAX_INTERVAL_MS = 30_000;
    /** A cycle changes the host's keys with this chance: about every 10 minutes per host at a 20 s mean interval. */
    private static final double INVENTORY_CHANGE = 1.0 / 30;
    private static final List<String> ACCOUNTS = List.of("app", "backup", "deploy");

    private final String host;
    private final int port;
    private final RecentCerts recent;
    private final String caFingerprint;
    private final List<Agent> agents = new ArrayList<>();
    private final ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(8, r -> {
        Thread t = new Thread(r, "soak-agent");
        t.setDaemon(true);
        return t;
    });
    private volatile SoakWindows windows;
    /** Usage events the server acknowledged, and inventory reports it took. */
    final LongAdder eventsAcknowledged = new LongAdder();
    final LongAdder inventories = new LongAdder();
    /** Over the whole run, by request ({@code state}, {@code krl}, ...): latencies, and answers by status. */
    private final Map<String, Latencies> latencies = new TreeMap<>();
    private final Map<String, LongAdder> answers = new ConcurrentSkipListMap<>();

    SoakAgents(String host, int port, RecentCerts recent, String caFingerprint) {
        this.host = host;
        this.port = port;
        this.recent = recent;
        this.caFingerprint = caFingerprint;
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /** Registers and enrolls {@code count} hosts, one after the other; any unexpected answer ends the soak. */
    void enroll(String admin, int count) throws IOException {
        try (MiniHttp c = new MiniHttp(host, port)) {
            for (int i = 0; i < count; i++) {
                String name = String.format(Locale.ROOT, "soak-host-%03d", i);
                MiniHttp.Response r = c.send(MiniHttp.postJson(host, port, "/api/v1/hosts", admin,
                        "{\"hostname\":\"" + name + "\"}"));
                if (r.status() != 201) {
                    throw new IllegalStateException("POST /api/v1/hosts gave " + r.status() + ": " + r.text());
                }
                String join = (String) Json.parseObject(r.body()).get("join_token");
                String hostKey = withoutComment(SshKeyLines.ed25519("host"));
                r = c.send(MiniHttp.postJson(host, port, "/api/v1/hosts/enroll", null,
                        json(new EnrollRequest(join, name, List.of(hostKey)))));
                if (r.status() != 200) {
                    throw new IllegalStateException("POST /api/v1/hosts/enroll gave " + r.status() + ": " + r.text());
                }
                Agent a = new Agent(i, Json.read(r.body(), EnrollResponse::fromJson).credential());
                for (String account : ACCOUNTS) {
                    a.addKey(account);
                }
                agents.add(a);
            }
        }
    }

    /** Starts every agent's cycle, the first within 30 s; no cycle starts after the last of {@code windows}. */
    void start(SoakWindows windows) {
        this.windows = windows;
        for (Agent a : agents) {
            schedule(a, ThreadLocalRandom.current().nextLong(MAX_INTERVAL_MS));
        }
    }

    /** Waits (at most 60 s) for the cycles under way. */
    void stop() throws InterruptedException {
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
    }

    private void schedule(Agent a, long delayMs) {
        if (System.nanoTime() + delayMs * 1_000_000 < windows.endNanos()) {
            pool.schedule(() -> cycle(a), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    /** One cycle of one agent on a fresh connection; a failed step ends the cycle, as in the agent. */
    private void cycle(Agent a) {
        try (MiniHttp c = new MiniHttp(host, port)) {
            if (poll(a, c) && sendUsage(a, c)) {
                sendInventory(a, c);
            }
        } catch (IOException | RuntimeException e) { // a body that does not parse; a bug here must not end the cycles
            windows.failed(windows.now(), "agent " + e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
        } finally {
            schedule(a, ThreadLocalRandom.current().nextLong(MIN_INTERVAL_MS, MAX_INTERVAL_MS + 1));
        }
    }

    /** The state and the KRL, each with If-None-Match, each read as the agent reads it when it changed. */
    private boolean poll(Agent a, MiniHttp c) {
        String auth = "Authorization: Bearer " + a.credential;
        MiniHttp.Response state = call(c, "state", get("/api/v1/agent/state", auth, a.stateEtag), 200, 304);
        if (state == null || state.status() == 200
                && !readable("state", () -> Json.read(state.body(), AgentState::fromJson), state)) {
            return false;
        }
        a.stateEtag = state.status() == 200 ? state.etag() : a.stateEtag;
        MiniHttp.Response krl = call(c, "krl", get("/api/v1/krl", auth, a.krlEtag), 200, 304);
        if (krl == null || krl.status() == 200 && !readable("krl", () -> Krl.parseForInstall(krl.body()), krl)) {
            return false;
        }
        a.krlEtag = krl.status() == 200 ? krl.etag() : a.krlEtag;
        return true;
    }

    /** The logins since the last cycle, if any; every event must be acknowledged and none refused. */
    private boolean sendUsage(Agent a, MiniHttp c) throws IOException {
        List<UsageEvent> events = logins(a);
        if (events.isEmpty()) {
            return true;
        }
        MiniHttp.Response r = call(c, "usage", MiniHttp.postJson(host, port, "/api/v1/agent/usage", a.credential,
                json(new UsageBatch(events))), 200);
        if (r == null) {
            return false;
        }
        Map<String, Object> ack = Json.parseObject(r.body());
        if (!(ack.get("acknowledged") instanceof List<?> l) || l.size() != events.size()
                || ack.get("rejected") instanceof List<?> rejected && !rejected.isEmpty()) {
            windows.failed(windows.now(), "usage not all stored", r.text());
            return false;
        }
        eventsAcknowledged.add(events.size());
        return true;
    }

    /** Now and then the host's keys change; the report goes out when its hash differs from the one acknowledged. */
    private void sendInventory(Agent a, MiniHttp c) throws IOException {
        if (ThreadLocalRandom.current().nextDouble() < INVENTORY_CHANGE) {
            a.changeKeys();
        }
        InventoryReport inventory = a.inventory();
        if (inventory.hash().equals(a.acknowledgedHash)) {
            return;
        }
        MiniHttp.Response r = call(c, "inventory", MiniHttp.postJson(host, port, "/api/v1/agent/inventory",
                a.credential, json(inventory)), 200);
        if (r != null && inventory.hash().equals(Json.read(r.body(), InventoryAck::fromJson).hash())) {
            a.acknowledgedHash = inventory.hash();
            inventories.increment();
        } else if (r != null) {
            windows.failed(windows.now(), "inventory hash", r.text());
        }
    }

    /** Sends one request; its answer when the status is one of {@code expected}, else null and a failure counted. */
    private MiniHttp.Response call(MiniHttp c, String what, byte[] request, int... expected) {
        long t0 = System.nanoTime();
        MiniHttp.Response r;
        try {
            r = c.send(request);
        } catch (IOException e) {
            windows.failed(windows.now(), what + " I/O", e.toString());
            return null;
        }
        long took = System.nanoTime() - t0;
        SoakWindow w = windows.now();
        w.agentLatency(took);
        w.agentRequests.increment();
        synchronized (latencies) {
            latencies.computeIfAbsent(what, k -> new Latencies()).add(took);
        }
        answers.computeIfAbsent(what + " " + r.status(), k -> new LongAdder()).increment();
        for (int status : expected) {
            if (r.status() == status) {
                return r;
            }
        }
        windows.failed(w, what + " HTTP " + r.status(), r.text());
        return null;
    }

    @FunctionalInterface
    private interface Reader {
        void read() throws IOException;
    }

    /** Whether the agent could read the answer ({@code AgentState}, {@code Krl.parseForInstall}); else a failure. */
    private boolean readable(String what, Reader reader, MiniHttp.Response r) {
        try {
            reader.read();
            return true;
        } catch (IOException | InvalidInputException e) {
            windows.failed(windows.now(), what + " unreadable", e.getMessage() + "; " + r.text());
            return false;
        }
    }

    /** One line per request kind over the whole run: count, answers by status, p50 and p99. */
    List<String> summary() {
        List<String> lines = new ArrayList<>();
        synchronized (latencies) {
            latencies.forEach((what, l) -> {
                Latencies sorted = Latencies.merge(List.of(l));
                StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%-9s %,8d requests, p50 %6.2f ms, p99 %7.2f"
                        + " ms;", what, sorted.size(), sorted.millis(0.5), sorted.millis(0.99)));
                answers.forEach((k, n) -> {
                    if (k.startsWith(what + " ")) {
                        b.append(" HTTP ").append(k.substring(what.length() + 1)).append(" x").append(n.sum());
                    }
                });
                lines.add(b.toString());
            });
        }
        return lines;
    }

    private byte[] get(String path, String auth, String etag) {
        return etag == null ? MiniHttp.get(host, port, path, auth)
                : MiniHttp.get(host, port, path, auth, "If-None-Match: " + etag);
    }

    /** 0 to 4 logins: four in five with one of the soak's recent certificates, else with one of the host's keys. */
    private List<UsageEvent> logins(Agent a) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        List<UsageEvent> events = new ArrayList<>();
        String time = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        for (int i = rnd.nextInt(5); i > 0; i--) {
            String id = "soak." + a.n + "." + a.events++;
            String from = "10.0." + rnd.nextInt(256) + "." + rnd.nextInt(1, 255);
            int sourcePort = rnd.nextInt(1024, 65536);
            RecentCerts.Cert cert = recent.any();
            if (cert != null && rnd.nextInt(5) > 0) {
                events.add(new UsageEvent(id, time, cert.account(), cert.fingerprint(), "ED25519-CERT",
                        Long.toUnsignedString(cert.serial()), cert.keyId(), caFingerprint, from, sourcePort, "accepted", ""));
            } else {
                InventoryKey k = a.keys.get(rnd.nextInt(a.keys.size()));
                events.add(new UsageEvent(id, time, k.account(), k.fingerprint(), "ED25519", null, null, null, from,
                        sourcePort, "accepted", ""));
            }
        }
        return events;
    }

    static String fingerprint(String publicKeyLine) {
        return SshPublicKey.fingerprintOf(Base64.getDecoder().decode(publicKeyLine.split(" ")[1]));
    }

    private static String withoutComment(String publicKeyLine) {
        String[] f = publicKeyLine.split(" ");
        return f[0] + " " + f[1];
    }

    private static String json(Object record) {
        return new String(new JsonWriter(512).any(record).toBytes(), StandardCharsets.UTF_8);
    }

    /** One simulated host; only its own cycle touches it, and cycles of one host never overlap. */
    private static final class Agent {
        final int n;
        final String credential;
        final List<InventoryKey> keys = new ArrayList<>();
        String stateEtag;
        String krlEtag;
        String acknowledgedHash;
        long events;

        Agent(int n, String credential) {
            this.n = n;
            this.credential = credential;
        }

        void addKey(String account) {
            int line = 1 + keys.stream().filter(k -> k.account().equals(account)).mapToInt(InventoryKey::line).max().orElse(0);
            String key = SshKeyLines.ed25519(account + "@laptop-" + n + "-" + line);
            keys.add(new InventoryKey(account, "/home/" + account + "/.ssh/authorized_keys", line, "user", "ssh-ed25519",
                    256, fingerprint(key), account + "@laptop-" + n + "-" + line, List.of(), ""));
        }

        /** Adds a key to one account, or (when every account has more than one) removes one. */
        void changeKeys() {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            if (keys.size() > ACCOUNTS.size() && rnd.nextBoolean()) {
                InventoryKey gone = keys.remove(rnd.nextInt(keys.size()));
                if (keys.stream().noneMatch(k -> k.account().equals(gone.account()))) {
                    addKey(gone.account());
                }
            } else {
                addKey(ACCOUNTS.get(rnd.nextInt(ACCOUNTS.size())));
            }
        }

        /** The report as the agent makes it: sorted by account, file and line; hash = SHA-256 of the keys' JSON. */
        InventoryReport inventory() {
            List<InventoryKey> sorted = keys.stream().sorted(Comparator.comparing(InventoryKey::account)
                    .thenComparing(InventoryKey::file).thenComparingInt(InventoryKey::line)).toList();
            byte[] json = new JsonWriter(sorted.size() * 256 + 2).any(sorted).toBytes();
            return new InventoryReport(Sha256.hex(json), sorted);
        }
    }
}
