package dev.keyward.web.e2e;

import dev.keyward.web.testing.TestDatabases;
import dev.keyward.web.testing.TestServer;
import java.nio.file.Path;

/** The end-to-end scenario with the server's CA keys as software key files (the dev default without softhsm2). */
class SoftwareKeysSshdTest extends SshdOverHttpScenario {
    @Override
    Running startServer(Path home, String extraYaml) {
        TestServer s = TestServer.start(home, TestDatabases.create(), extraYaml);
        return new Running(s.api(), s.adminToken(), s);
    }
}
