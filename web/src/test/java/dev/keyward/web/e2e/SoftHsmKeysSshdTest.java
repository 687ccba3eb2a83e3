package dev.keyward.web.e2e;

import dev.keyward.ca.sign.CaAlgorithm;
import dev.keyward.ca.sign.CaSigner;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.ca.sign.Signers;
import dev.keyward.ca.testing.SoftHsm;
import dev.keyward.web.KeywardServer;
import dev.keyward.web.config.ConfigLoader;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.testing.Api;
import dev.keyward.web.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The end-to-end scenario with the server's CA keys in a SoftHSM2 token, named in the configuration by
 * {@code pkcs11:} URIs (RFC 7512) as in production: {@code ca.user_key} and {@code ca.host_key}, PIN from a file.
 */
class SoftHsmKeysSshdTest extends SshdOverHttpScenario {
    @Override
    Running startServer(Path home, String extraYaml) throws Exception {
        SoftHsm.Token token = SoftHsm.newToken();
        String userKey = token.uri("user-ca").toString();
        String hostKey = token.uri("host-ca").toString();
        for (String uri : new String[] {userKey, hostKey}) {
            try (CaSigner created = Signers.create(uri, CaAlgorithm.ECDSA_P256, SecretSource.of(Map.of()))) {
                // created in the token; the server opens it by its URI
            }
        }
        TestDatabases.Db db = TestDatabases.create();
        Files.createDirectories(home);
        Path pw = db.passwordFile(home);
        String yaml = "home: " + home + "\n"
                + "http:\n  bind: 127.0.0.1\n  port: 0\n"
                + "database:\n  url: \"" + db.url() + "\"\n  user: " + db.user() + "\n"
                + (pw == null ? "" : "  password_file: " + pw + "\n")
                + "ca:\n  user_key: \"" + userKey + "\"\n  host_key: \"" + hostKey + "\"\n"
                + "krl:\n  version_check_interval: 0\n"
                + extraYaml;
        Path config = Files.writeString(home.resolve("keyward.yaml"), yaml);
        ServerConfig cfg = new ConfigLoader(Map.of()).load(Optional.of(config));
        KeywardServer server = KeywardServer.start(cfg, KeywardServer.Options.defaults());
        String admin = Files.readString(home.resolve("admin-token")).strip();
        return new Running(new Api(server.port()), admin, server);
    }
}
