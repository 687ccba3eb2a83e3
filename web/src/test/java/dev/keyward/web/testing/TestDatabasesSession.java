package dev.keyward.web.testing;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the shared embedded PostgreSQL, Keycloak and Chromium when the test session ends (registered in
 * META-INF/services).
 */
public final class TestDatabasesSession implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        try {
            Keycloak.shutdown();
            Chromium.shutdown();
        } finally {
            TestDatabases.shutdown();
        }
    }
}
