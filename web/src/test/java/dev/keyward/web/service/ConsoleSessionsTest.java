package dev.keyward.web.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.ConsoleConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.testing.TestDatabases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Console sessions on the real database with a clock the test moves: the idle and absolute expiries, sign-out, the
 * API token's revocation ending the session, only a hash of the session ID stored, and no session for engineers.
 */
class ConsoleSessionsTest {
    private final MovableClock clock = new MovableClock(Instant.parse("2026-12-04T10:00:00Z"));
    private Database db;
    private ConsoleSessions sessions;

    @BeforeEach
    void start() {
        TestDatabases.Db t = TestDatabases.create();
        db = Database.connect(t.url(), t.user(), t.password(), 2);
        db.migrate();
        sessions = new ConsoleSessions(db, clock, new ConsoleConfig(Duration.ofMinutes(30), Duration.ofHours(2)));
    }

    @AfterEach
    void stop() {
        db.close();
    }

    private static Caller caller(Role role, Optional<Long> token) {
        return new Caller("token:1:ann", "ann", Set.of(role), List.of(), token, List.of());
    }

    @Test
    void aSessionEndsAfterTheIdleTime() {
        ConsoleSessions.Opened o = sessions.open(caller(Role.AUDITOR, Optional.empty()),
                ConsoleSessions.Method.TOKEN, "127.0.0.1");
        clock.advance(Duration.ofMinutes(29));
        assertEquals(Role.AUDITOR, sessions.find(o.id()).orElseThrow().role());
        clock.advance(Duration.ofMinutes(29)); // used 29 minutes ago: still alive
        assertTrue(sessions.find(o.id()).isPresent());
        clock.advance(Duration.ofMinutes(31));
        assertTrue(sessions.find(o.id()).isEmpty(), "idle for 31 minutes");
        assertEquals(0L, count(), "the ended session's row is gone");
    }

    @Test
    void aBusySessionEndsAtItsAbsoluteExpiry() {
        ConsoleSessions.Opened o = sessions.open(caller(Role.ADMIN, Optional.empty()),
                ConsoleSessions.Method.TOKEN, "127.0.0.1");
        for (int i = 0; i < 11; i++) {
            clock.advance(Duration.ofMinutes(10));
            assertTrue(sessions.find(o.id()).isPresent(), "after " + (i + 1) * 10 + " minutes");
        }
        clock.advance(Duration.ofMinutes(10));
        assertTrue(sessions.find(o.id()).isEmpty(), "two hours after sign-in, however busy");
    }

    @Test
    void signOutEndsItAndOnlyAHashIsStored() {
        ConsoleSessions.Opened o = sessions.open(caller(Role.ADMIN, Optional.empty()),
                ConsoleSessions.Method.TOKEN, "127.0.0.1");
        Long stored = db.read(tx -> tx.resultQuery("SELECT count(*) FROM console_sessions WHERE id_hash = ?"
                + " AND id_hash <> ?", dev.keyward.web.auth.ApiTokenSecrets.hash(o.id()), o.id())
                .fetchOne(0, Long.class));
        assertEquals(1L, stored);
        sessions.close(o.id(), o.session().caller(), "127.0.0.1");
        assertTrue(sessions.find(o.id()).isEmpty());
        assertTrue(sessions.find("x".repeat(43)).isEmpty());
        assertTrue(sessions.find(null).isEmpty());
    }

    @Test
    void revokingTheTokenEndsTheSession() {
        TokenService tokens = new TokenService(db, clock, Duration.ofDays(30));
        var created = tokens.create(Caller.system(), new TokenService.CreateToken("console", Role.ADMIN,
                Optional.of("ann"), List.of(), Duration.ofDays(1)));
        ConsoleSessions.Opened o = sessions.open(caller(Role.ADMIN, Optional.of(created.token().id())),
                ConsoleSessions.Method.TOKEN, "127.0.0.1");
        assertTrue(sessions.find(o.id()).isPresent());
        tokens.revoke(Caller.system(), created.token().id());
        assertTrue(sessions.find(o.id()).isEmpty(), "a revoked token's session ends at once");
    }

    @Test
    void engineersAndHostsGetNoSession() {
        for (Role r : List.of(Role.ENGINEER, Role.HOST)) {
            ForbiddenException e = assertThrows(ForbiddenException.class, () -> sessions.open(caller(r,
                    Optional.empty()), ConsoleSessions.Method.TOKEN, "127.0.0.1"));
            assertTrue(e.getMessage().startsWith("the console is for admins and auditors"), e.getMessage());
        }
        assertEquals(0L, count());
    }

    private long count() {
        return db.read(tx -> tx.resultQuery("SELECT count(*) FROM console_sessions").fetchOne(0, Long.class));
    }

    /** A clock the test moves forward. */
    static final class MovableClock extends Clock {
        private Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
