package com.apintake.platform.control;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;

/**
 * Tells a database outage from a fault, whatever wraps it (the pool's ResourceException, JTA's
 * RollbackException, EJBException, our own IllegalStateException). An outage is temporary and the
 * client's request was not applied: it deserves 503 and a retry, not 500.
 */
public final class Unavailability {

    private Unavailability() {}

    /**
     * SQLSTATEs of an outage: class 08 (connection exception), 57P01-57P03 (admin/crash shutdown,
     * cannot connect now), 57014 (statement timeout or cancel), 53300 (too many connections),
     * 53400 (configuration limit exceeded).
     */
    public static boolean isOutageState(String state) {
        if (state == null) {
            return false;
        }
        return state.startsWith("08")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03")
                || state.equals("57014")
                || state.equals("53300")
                || state.equals("53400");
    }

    /** Whether anything in the cause chain (and SQLException's next-exception chain) is an outage. */
    public static boolean isOutage(Throwable error) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        return isOutage(error, seen);
    }

    private static boolean isOutage(Throwable error, Set<Throwable> seen) {
        // A refused socket is an outage only below a database error: a webhook's refused socket is not.
        boolean database = false;
        for (Throwable t = error; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof DatabaseUnavailableException || t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (database
                    && (t instanceof ConnectException || t instanceof EOFException || t instanceof SocketException)) {
                return true;
            }
            String type = t.getClass().getName();
            // pgjdbc's wording for a connection lost mid-statement or mid-commit (SQLSTATE 08006), and
            // Payara's for a pooled connection whose backend died before the commit, also when JTA re-wraps
            // them in an XAException or SystemException that keeps only the text.
            String message = String.valueOf(t.getMessage());
            if (message.contains("I/O error occurred while sending to the backend")
                    || message.contains("This connection has been closed")
                    || message.contains("physical connection is not usable")
                    // the pool destroyed the connection (fail-all-connections during a restart) under a
                    // transaction that then commits: Payara's NullPointerException, re-wrapped in an XAException
                    || (message.contains("getActualConnection()") && message.contains("is null"))) {
                return true;
            }
            if (t instanceof SQLException sql) {
                database = true;
                if (isOutageState(sql.getSQLState()) || isPoolExhaustion(sql.getMessage())) {
                    return true;
                }
                SQLException next = sql.getNextException();
                if (next != null && next != sql && isOutage(next, seen)) {
                    return true;
                }
            } else if (type.endsWith("ResourceException") || type.endsWith("PoolingException")) {
                // The pool's own exceptions (connector API) carry no SQLSTATE: recognise them by what they say.
                database = true;
                if (isPoolExhaustion(t.getMessage())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Payara's messages when no connection could be had: exhausted within max-wait, or none could be created. */
    static boolean isPoolExhaustion(String message) {
        if (message == null) {
            return false;
        }
        String text = message.toLowerCase(Locale.ROOT);
        return text.contains("error in allocating a connection")
                || text.contains("in-use connections equal max-pool-size")
                || text.contains("connection could not be allocated")
                || text.contains("expired max-wait-time")
                || text.contains("connection refused");
    }
}
