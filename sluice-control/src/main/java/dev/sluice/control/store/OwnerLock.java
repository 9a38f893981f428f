package dev.sluice.control.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * One control plane per PostgreSQL database: a session-level advisory lock held on a connection of its own while this
 * process owns the database. The database drops it when the process dies (kill -9 included), and also, silently,
 * when the database restarts or the connection is cut: {@link #confirm} notices and takes it again.
 */
final class OwnerLock {
    /** The advisory lock key of the control plane that owns a PostgreSQL database ("sluice" in ASCII). */
    static final long KEY = 0x736c75696365L;
    /** Conditions on a row {@code l} of pg_locks: the owner lock, granted (a bigint key is split in two halves). */
    static final String GRANTED = "l.locktype = 'advisory' AND l.granted AND l.classid = " + (KEY >>> 32)
            + " AND l.objid = " + (KEY & 0xffffffffL) + " AND l.objsubid = 1";
    private static final int CHECK_TIMEOUT_SECONDS = 5;

    /** The connection that holds the lock, and which server session that is (pid and start time). */
    record Session(Connection connection, int pid, String startedAt) {}

    private final DataSource dataSource;
    private Session held;
    /** Whether this process owns the database; stays so while the lock is being re-taken. */
    private boolean owner;
    /** The session that held the lock until this process lost touch with it; it may hold the lock still. */
    private Session lost;

    /** A lock not held yet; {@code held}, when given, is a session that took it already (before migrating). */
    OwnerLock(DataSource dataSource, Session held) {
        this.dataSource = dataSource;
        this.held = held;
        this.owner = held != null;
    }

    /**
     * Makes this process the database's owner. H2 needs no lock: its data directory is locked by the server.
     *
     * @throws IllegalStateException when another process holds it
     */
    synchronized void lock(String vendor) {
        if (owner) {
            confirm();
            return;
        }
        if (!"postgresql".equals(vendor)) {
            return;
        }
        held = take(dataSource);
        owner = true;
    }

    /**
     * Checks that this process still owns the database; takes the lock again on a new connection when the session
     * holding it ended, unless another server took it meanwhile.
     *
     * @return true when the lock had been lost and was taken again
     * @throws IllegalStateException when another process holds the lock now, or the database cannot be reached
     */
    synchronized boolean confirm() {
        if (!owner) {
            return false;
        }
        if (held != null) {
            try {
                if (held.connection().isValid(CHECK_TIMEOUT_SECONDS)) {
                    return false; // a live session keeps its session-level locks
                }
            } catch (SQLException e) {
                // not valid: take it again below
            }
            // Not answering may also mean slow: the session may live on at the server, holding the lock.
            lost = held;
            held = null;
            if (dataSource instanceof HikariDataSource pool) {
                pool.evictConnection(lost.connection()); // closed, not handed to the next borrower
            } else {
                closeQuietly(lost.connection());
            }
        }
        try {
            held = take(dataSource);
        } catch (IllegalStateException refused) {
            if (lost == null || !endIfHolding(lost)) {
                throw refused;
            }
            held = take(dataSource);
        }
        lost = null;
        return true;
    }

    /** For tests: this process loses touch with the session holding its lock, which lives on at the server. */
    synchronized void loseConnection() {
        lost = held;
        held = null;
    }

    /**
     * Lets go of the lock: explicitly, since closing a pooled connection only returns it to the pool, and even a
     * closed session lets go of its locks only once the server has noticed.
     */
    synchronized void release() {
        if (held != null) {
            try (var st = held.connection().createStatement()) {
                // A database that stopped answering must not hold up the shutdown.
                held.connection().setNetworkTimeout(Runnable::run, (int) Duration.ofSeconds(5).toMillis());
                st.execute("SELECT pg_advisory_unlock(" + KEY + ")");
            } catch (SQLException e) {
                // the session ends with the pool, and the lock with it
            }
            closeQuietly(held.connection());
            held = null;
        }
        owner = false;
    }

    /**
     * Ends this process's own earlier session if the server still has it holding the lock (a connection that stopped
     * answering without the server noticing); true when it did.
     */
    private boolean endIfHolding(Session stale) {
        String sql = "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE " + GRANTED
                + " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                + " AND l.pid = ? AND a.backend_start::text = ?";
        try (Connection c = dataSource.getConnection(); var end = c.prepareStatement(sql);
                var alive = c.prepareStatement("SELECT 1 FROM pg_stat_activity WHERE pid = ? AND backend_start::text = ?")) {
            for (var st : List.of(end, alive)) {
                st.setInt(1, stale.pid());
                st.setString(2, stale.startedAt());
            }
            try (var rs = end.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return false;
                }
            }
            // The session ends, and its locks with it, shortly after the signal.
            for (int i = 0; i < 50; i++) {
                try (var rs = alive.executeQuery()) {
                    if (!rs.next()) {
                        return true;
                    }
                }
                Thread.sleep(100);
            }
            return false;
        } catch (SQLException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A session that holds the lock; the lock goes when its connection closes. */
    static Session take(DataSource dataSource) {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            boolean locked;
            int pid;
            String startedAt;
            try (var st = c.createStatement(); var rs = st.executeQuery("SELECT pg_try_advisory_lock(" + KEY
                    + "), pg_backend_pid(), (SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid())")) {
                rs.next();
                locked = rs.getBoolean(1);
                pid = rs.getInt(2);
                startedAt = rs.getString(3);
            }
            if (!locked) {
                closeQuietly(c);
                throw new IllegalStateException("another Sluice server uses this metadata database; one server per database");
            }
            return new Session(c, pid, startedAt);
        } catch (SQLException e) {
            closeQuietly(c);
            throw new IllegalStateException("cannot lock the metadata database: " + e.getMessage(), e);
        }
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // going anyway
            }
        }
    }
}
