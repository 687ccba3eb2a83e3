package dev.keyward.web.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * What PostgreSQL alone allows when every write is serialised on one row, as the audit chain head serialises
 * issuance: threads that each run BEGIN; SELECT ... FOR UPDATE on the head; INSERT an entry; UPDATE the head;
 * COMMIT. With {@code perCommit} > 1 a transaction appends that many entries under one lock and one commit (what a
 * batching issuer would do). Runs on throwaway tables in the bench's own database, dropped afterwards.
 */
final class ChainCeiling {
    private ChainCeiling() {
    }

    /** Entries per second with {@code threads} writers and {@code perCommit} entries per transaction. */
    static double rate(String jdbc, java.util.Properties login, int threads, int perCommit, double seconds) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbc, login); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_chain_log, bench_chain_head");
            s.execute("CREATE TABLE bench_chain_head (id int PRIMARY KEY, seq bigint NOT NULL, hash varchar(64) NOT NULL)");
            s.execute("CREATE TABLE bench_chain_log (seq bigint PRIMARY KEY, details text NOT NULL, hash varchar(64) NOT NULL)");
            s.execute("INSERT INTO bench_chain_head VALUES (1, 0, 'x')");
        }
        LongAdder done = new LongAdder();
        List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try (Connection c = DriverManager.getConnection(jdbc, login);
                        PreparedStatement lock = c.prepareStatement("SELECT seq, hash FROM bench_chain_head WHERE id = 1 FOR UPDATE");
                        PreparedStatement ins = c.prepareStatement("INSERT INTO bench_chain_log VALUES (?, ?, ?)");
                        PreparedStatement upd = c.prepareStatement("UPDATE bench_chain_head SET seq = ?, hash = ? WHERE id = 1")) {
                    c.setAutoCommit(false);
                    while (System.nanoTime() < deadline) {
                        long seq;
                        try (ResultSet rs = lock.executeQuery()) {
                            rs.next();
                            seq = rs.getLong(1);
                        }
                        for (int i = 0; i < perCommit; i++) {
                            ins.setLong(1, ++seq);
                            ins.setString(2, "{\"serial\":" + seq + ",\"type\":\"user\"}");
                            ins.setString(3, Long.toHexString(seq));
                            ins.addBatch();
                        }
                        ins.executeBatch();
                        upd.setLong(1, seq);
                        upd.setString(2, Long.toHexString(seq));
                        upd.executeUpdate();
                        c.commit();
                        done.add(perCommit);
                    }
                } catch (SQLException e) {
                    errors.add(e);
                }
            }, "chain-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        long took = System.nanoTime() - start;
        try (Connection c = DriverManager.getConnection(jdbc, login); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS bench_chain_log, bench_chain_head");
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("chain ceiling probe failed", errors.get(0));
        }
        return done.sum() * 1e9 / took;
    }
}
