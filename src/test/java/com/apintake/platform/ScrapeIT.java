package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.monitoring.Await;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import java.net.URL;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scrape is a scrape: /metrics answers from memory, also while every connection of the JDBC pool is held,
 * which is exactly when an operator needs it. The pool is made to run out for real, as in OverloadIT: the test
 * holds an exclusive lock on invoices and sends as many pending-approval pages as the admission limit lets
 * run, and each of them holds a pool connection while it waits for the lock. Once PostgreSQL shows every
 * connection of the pool waiting, a scrape of the application scope must answer well within the pool's max
 * wait, with the backup families in it (they used to read the database through the pool at scrape time).
 */
@ExtendWith(ArquillianExtension.class)
class ScrapeIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    /** The test pool's max size (server-config/test.asadmin: DATABASE_POOL_SIZE 2 + DATABASE_MAX_OVERFLOW 6). */
    static final int POOL_MAX = 8;

    /** The pool's max wait in the test configuration is 5 s; a scrape that waited for a connection takes that long. */
    static final long SCRAPE_BOUND_MILLIS = 2_000;

    static final String POOL_WAITING_ON_LOCK =
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ap-intake-test' AND wait_event_type = 'Lock'";

    @Test
    void aScrapeAnswersFromMemoryWhileEveryPoolConnectionIsHeld() throws Exception {
        assertThat(TestEnvironment.ADMISSION_LIMIT)
                .as("enough admitted requests to hold every pool connection")
                .isGreaterThanOrEqualTo(POOL_MAX);
        // Warm the credential cache, the page and the scrape path, so that only the pool can make them wait.
        assertThat(Http.get(base, "/api/v1/invoices?workflowStatus=PENDING_APPROVAL&limit=50")
                        .status())
                .isEqualTo(200);
        assertThat(scrape().body()).contains("backup_last_success_age_seconds");

        ExecutorService clients = Executors.newFixedThreadPool(TestEnvironment.ADMISSION_LIMIT);
        List<CompletableFuture<Integer>> pages = new ArrayList<>();
        long millis;
        String body;
        int status;
        try (Connection lock = TestEnvironment.connect();
                Connection watch = TestEnvironment.connect()) {
            lock.setAutoCommit(false);
            lock.createStatement().execute("LOCK TABLE invoices IN ACCESS EXCLUSIVE MODE");
            try {
                for (int i = 0; i < TestEnvironment.ADMISSION_LIMIT; i++) {
                    pages.add(CompletableFuture.supplyAsync(
                            () -> Http.get(base, "/api/v1/invoices?workflowStatus=PENDING_APPROVAL&limit=50")
                                    .status(),
                            clients));
                }
                Await.until(
                        () -> waitingOnLock(watch),
                        waiting -> waiting >= POOL_MAX,
                        Duration.ofSeconds(30),
                        "every pool connection (" + POOL_MAX + ") held by a request waiting for the lock");
                // Past the backup gauges' old 5 s cache and the replica check's 5 s: a scrape that reads the
                // database at all would have to now.
                Thread.sleep(6_000);
                assertThat(waitingOnLock(watch))
                        .as("the pool is still exhausted")
                        .isGreaterThanOrEqualTo(POOL_MAX);
                long start = System.nanoTime();
                var answer = scrape();
                millis = (System.nanoTime() - start) / 1_000_000;
                body = answer.body();
                status = answer.status();
            } finally {
                lock.rollback();
            }
        }
        for (var page : pages) {
            assertThat(page.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        }
        clients.shutdown();

        assertThat(status).isEqualTo(200);
        assertThat(millis)
                .as("a scrape while the pool is exhausted (its max wait is 5 s) took %d ms", millis)
                .isLessThan(SCRAPE_BOUND_MILLIS);
        assertThat(body)
                .contains("# HELP backup_last_success_age_seconds ")
                .containsPattern("(?m)^backup_last_success_age_seconds\\{[^}]*\\} \\S+$")
                .containsPattern("(?m)^backup_wal_archive_lag_seconds\\{[^}]*\\} \\S+$")
                .containsPattern("(?m)^backup_wal_archive_runway_seconds\\{[^}]*\\} \\S+$")
                .containsPattern("(?m)^apintake_replica_lag_seconds\\{[^}]*\\} \\S+$")
                .containsPattern("(?m)^database_pool_used\\{[^}]*\\} \\S+$");
    }

    private Http.Answer scrape() {
        return Http.anonymous().get(base, "/metrics?scope=application");
    }

    private static long waitingOnLock(Connection watch) {
        try (var statement = watch.createStatement();
                var rows = statement.executeQuery(POOL_WAITING_ON_LOCK)) {
            rows.next();
            return rows.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
