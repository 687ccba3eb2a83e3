package dev.keyward.cli.testing;

import dev.keyward.ca.json.Json;
import dev.keyward.ca.key.PublicKeyParser;
import dev.keyward.ca.key.SshPublicKey;
import dev.keyward.cli.KeywardCli;
import dev.keyward.cli.config.CliEnv;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code keyward} in-process with HOME in a temp dir, the given variables and clock; no terminal. */
public final class Cli {
    /** What one run gave. */
    public record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private Cli() {
    }

    public static Run run(Path home, Map<String, String> vars, Clock clock, String... args) {
        Map<String, String> env = new HashMap<>(vars);
        env.put("HOME", home.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KeywardCli.run(args, new PrintWriter(out), new PrintWriter(err), new CliEnv(env, false, clock));
        return new Run(code, out.toString(), err.toString());
    }

    /** The public key of a {@code POST /certs/user} body, for a stand-in server that certifies whatever it is sent. */
    public static SshPublicKey requestedKey(String body) {
        try {
            Object k = Json.parseObject(body.getBytes(StandardCharsets.UTF_8)).get("public_key");
            return PublicKeyParser.withDefaults().parseLine((String) k);
        } catch (dev.keyward.ca.json.JsonException e) {
            throw new AssertionError("not a JSON body: " + body, e);
        }
    }

    /** A {@code 201} of {@code POST /certs/user} carrying {@code certLine}. */
    public static FakeServer.Answer created(String certLine) {
        return new FakeServer.Answer(201, "application/json", new String(Json.write(Map.of("serial", 42,
                "certificate", certLine)), StandardCharsets.UTF_8));
    }

    /** Variables with only {@code SSH_AUTH_SOCK} set, or none. */
    public static Map<String, String> agentEnv(Path socket) {
        Map<String, String> m = new HashMap<>();
        if (socket != null) {
            m.put("SSH_AUTH_SOCK", socket.toString());
        }
        return m;
    }
}
