package com.apintake.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.monitoring.Await;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Folders;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.PostgresServer;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test server's read pool points at TestEnvironment.replicaPort(). Here a real streaming replica of
 * the test PostgreSQL (pg_basebackup -R, hot standby) comes up there: reads move to it, a replica whose
 * replay is paused behind a write falls back to the primary once it lags beyond the threshold (3 s in
 * tests), and a stopped replica sends reads back to the primary; the header, /health/ready and
 * /metrics say so at each step. Every read-only list page follows (LISTS), and read-your-writes holds: a
 * read carrying a WAL position the replica has not replayed (X-Read-After or its cookie) reads the primary.
 */
@ExtendWith(ArquillianExtension.class)
class ReadReplicaIT {

    static final String ANALYTICS = "/api/v1/analytics/exports?from=2001-03-01&to=2001-03-08";
    static final String INVOICES = "/api/v1/invoices?limit=1";
    static final String REPORTS = "/api/v1/database/reports?limit=5";
    static final String AUDIT = "/api/v1/audit?limit=1";
    static final String VENDORS = "/api/v1/vendors?limit=1";
    /** The read-only list pages moved to ReadSource after the first four (docs/cluster.md, per list). */
    static final List<String> LISTS = List.of(
            VENDORS,
            "/api/v1/exceptions?limit=1",
            "/api/v1/database/alerts?limit=1",
            "/api/v1/database/backups?limit=1",
            "/api/v1/schedules",
            "/api/v1/database/maintenance?limit=1",
            "/api/v1/exports?limit=1");

    static final String FAR_FUTURE = "FFFFFFFF/FFFFFFFF";

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @Test
    void readsFollowTheReplicaWhileItIsUpAndInSync() throws Exception {
        // No replica yet: the read pool cannot connect, reads go to the primary and say so.
        awaitSource(ANALYTICS, "primary");
        JsonObject down = database();
        assertThat(down.getString("readSource")).isEqualTo("primary");
        assertThat(down.getString("readSourceReason")).contains("unreachable");

        Path dataDir = Path.of(System.getProperty("apintake.basedir"), "target/it/replica/data");
        Folders.deleteRecursively(dataDir.getParent());
        PostgresServer replica = TestEnvironment.postgres().startReplica(dataDir, TestEnvironment.replicaPort());
        try {
            var fromReplica = awaitSource(ANALYTICS, "replica");
            assertThat(fromReplica.status()).as(fromReplica.body()).isEqualTo(200);
            var list = awaitSource(INVOICES, "replica");
            assertThat(list.status()).as(list.body()).isEqualTo(200);
            JsonObject inSync = database();
            assertThat(inSync.getString("readSource")).isEqualTo("replica");
            assertThat(inSync.getString("readSourceReason")).isEqualTo("replica in sync");
            String metrics =
                    Http.anonymous().get(base, "/metrics?scope=application").body();
            assertThat(metrics)
                    .contains("# HELP apintake_replica_lag_seconds ")
                    // In sync, not necessarily 0: the application's own timers write while the test runs, and a
                    // write waiting for replay shows as lag for a moment (a full run saw 1.34 s here).
                    .containsPattern("(?m)^apintake_replica_lag_seconds\\{[^}]*\\} [0-2](\\.[0-9]+)?(E-[0-9]+)?$")
                    .containsPattern("(?m)^apintake_replica_lag_wal_bytes\\{[^}]*\\} [0-9.E]+$")
                    .containsPattern("(?m)^apintake_replica_reads\\{[^}]*\\} 1(\\.0)?$");
            // The reports (performance reports, the audit trail) read the replica too. (After the gauges: their
            // "lag 0" holds only while no write waits for replay, so they are read right after the move.)
            var reports = awaitSource(REPORTS, "replica");
            assertThat(reports.status()).as(reports.body()).isEqualTo(200);
            var audit = awaitSource(AUDIT, "replica");
            assertThat(audit.status()).as(audit.body()).isEqualTo(200);
            // Every other read-only list page too.
            for (String page : LISTS) {
                assertThat(awaitSource(page, "replica").status()).isEqualTo(200);
            }
            readYourWrites();

            // Replay paused, then a write on the primary: the replica falls behind by bytes, and by seconds
            // once the threshold passes, reads leave it.
            try (Connection primary = TestEnvironment.connect();
                    var write = primary.createStatement()) {
                write.execute("CREATE TABLE IF NOT EXISTS read_replica_it (at timestamptz)");
                write.execute("INSERT INTO read_replica_it VALUES (now())");
            }
            try (Connection standby = replica.connect(TestEnvironment.DATABASE);
                    var pause = standby.createStatement()) {
                // A replayed transaction first, so the replica has a replay time to be behind from.
                Await.until(
                        () -> {
                            try (var rows = pause.executeQuery("SELECT to_regclass('read_replica_it') IS NOT NULL")) {
                                rows.next();
                                return rows.getBoolean(1);
                            } catch (java.sql.SQLException e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        Boolean::booleanValue,
                        Duration.ofSeconds(30),
                        "the write replayed on the replica");
                pause.execute("SELECT pg_wal_replay_pause()");
                long report;
                try (Connection primary = TestEnvironment.connect();
                        var write = primary.createStatement()) {
                    write.execute("INSERT INTO read_replica_it VALUES (now())");
                    try (var rows = write.executeQuery(
                            "INSERT INTO performance_reports (kind, period_start, period_end, report, markdown)"
                                    + " VALUES ('daily', now() - interval '1 day', now(), '{}', '# ReadReplicaIT')"
                                    + " RETURNING id")) {
                        rows.next();
                        report = rows.getLong(1);
                    }
                }
                // A report written a moment ago has not reached the paused replica: a lookup by id that misses
                // there is asked again on the primary, so it is found at once whichever source was chosen.
                var fresh = Http.get(base, "/api/v1/database/reports/" + report);
                assertThat(fresh.status()).as(fresh.body()).isEqualTo(200);
                assertThat(fresh.headers().firstValue("X-Read-Source")).hasValue("primary");
                awaitSource(ANALYTICS, "primary");
                JsonObject lagging = database();
                assertThat(lagging.getString("readSourceReason")).contains("lags");
                assertThat(Double.parseDouble(lagging.getString("replicaLagSeconds")))
                        .isGreaterThanOrEqualTo(3.0);
                assertThat(Long.parseLong(
                                lagging.get("replicaLagBytes").toString().replace("\"", "")))
                        .isPositive();
                String behind =
                        Http.anonymous().get(base, "/metrics?scope=application").body();
                assertThat(behind).containsPattern("(?m)^apintake_replica_reads\\{[^}]*\\} 0(\\.0)?$");
                // Replay stays paused, so the lag only grows: every list page is on the primary now.
                for (String page : LISTS) {
                    var answer = Http.get(base, page);
                    assertThat(answer.status()).as(page + ": " + answer.body()).isEqualTo(200);
                    assertThat(answer.headers().firstValue("X-Read-Source"))
                            .as(page)
                            .hasValue("primary");
                }

                pause.execute("SELECT pg_wal_replay_resume()");
                awaitSource(ANALYTICS, "replica");
            }

            replica.stop();
            var afterStop = awaitSource(ANALYTICS, "primary");
            assertThat(afterStop.status()).as(afterStop.body()).isEqualTo(200);
            assertThat(database().getString("readSourceReason")).contains("unreachable");
            for (String page : LISTS) {
                var answer = Http.get(base, page);
                assertThat(answer.status()).as(page + ": " + answer.body()).isEqualTo(200);
                assertThat(answer.headers().firstValue("X-Read-Source"))
                        .as(page)
                        .hasValue("primary");
            }
        } finally {
            replica.stop();
            try (Connection primary = TestEnvironment.connect();
                    var drop = primary.createStatement()) {
                drop.execute("DROP TABLE IF EXISTS read_replica_it");
                drop.execute("DELETE FROM performance_reports WHERE markdown = '# ReadReplicaIT'");
                drop.execute("DELETE FROM vendors WHERE name LIKE 'ReadReplicaIT %'");
            }
        }
    }

    /**
     * With the replica in sync: a read naming a WAL position the replica has not replayed (header or cookie)
     * goes to the primary, one it has replayed to the replica; a write answers with its position, and a read
     * carrying it sees the row just written, from the replica once replayed; a malformed header is a 400.
     */
    private void readYourWrites() {
        var ahead = get(VENDORS, "X-Read-After", FAR_FUTURE);
        assertThat(ahead.status()).as(ahead.body()).isEqualTo(200);
        assertThat(ahead.headers().firstValue("X-Read-Source")).hasValue("primary");
        var cookie = get(VENDORS, "Cookie", "apintake-read-after=" + FAR_FUTURE);
        assertThat(cookie.headers().firstValue("X-Read-Source")).hasValue("primary");
        // A damaged cookie is ignored (the browser sends it on its own); a damaged header is refused.
        var damagedCookie = get(VENDORS, "Cookie", "apintake-read-after=junk");
        assertThat(damagedCookie.status()).isEqualTo(200);
        var damaged = get(VENDORS, "X-Read-After", "not-a-position");
        assertThat(damaged.status()).isEqualTo(400);
        assertThat(damaged.contentType()).startsWith("application/problem+json");
        assertThat(awaitSource(VENDORS, "X-Read-After", "0/0", "replica").status())
                .isEqualTo(200);

        String name = "ReadReplicaIT " + System.nanoTime();
        String vatId = "DE" + (100_000_000 + Math.floorMod(System.nanoTime(), 900_000_000L));
        var created =
                Http.postJson(base, "/api/v1/vendors", "{\"name\": \"" + name + "\", \"vatId\": \"" + vatId + "\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String position = created.headers().firstValue("X-Read-After").orElseThrow();
        assertThat(position).matches("[0-9A-F]{1,8}/[0-9A-F]{1,8}");
        assertThat(created.headers().allValues("Set-Cookie"))
                .anySatisfy(c -> assertThat(c).startsWith("apintake-read-after=" + position));
        String byName = "/api/v1/vendors?name=" + name.replace(" ", "%20");
        // Whichever source answers, the vendor just written is in the list.
        var seen = get(byName, "X-Read-After", position);
        assertThat(seen.status()).as(seen.body()).isEqualTo(200);
        assertThat(seen.body()).contains(name);
        var fromReplica = awaitSource(byName, "X-Read-After", position, "replica");
        assertThat(fromReplica.body()).contains(name);
    }

    private Http.Answer get(String path, String header, String value) {
        return Http.send(HttpRequest.newBuilder(Http.resolve(base, path))
                .header(header, value)
                .GET());
    }

    private Http.Answer awaitSource(String path, String header, String value, String source) {
        return Await.until(
                () -> get(path, header, value),
                answer -> answer.status() == 200
                        && source.equals(
                                answer.headers().firstValue("X-Read-Source").orElse("")),
                Duration.ofSeconds(60),
                "X-Read-Source: " + source + " on " + path + " with " + header);
    }

    private Http.Answer awaitSource(String path, String source) {
        return Await.until(
                () -> Http.get(base, path),
                answer -> answer.status() == 200
                        && source.equals(
                                answer.headers().firstValue("X-Read-Source").orElse("")),
                Duration.ofSeconds(60),
                "X-Read-Source: " + source + " on " + path);
    }

    private JsonObject database() {
        var ready = Http.get(base, "/health/ready");
        JsonObject health = ready.json();
        for (var check : health.getJsonArray("checks")) {
            JsonObject named = check.asJsonObject();
            if ("database".equals(named.getString("name"))) {
                return named.getJsonObject("data");
            }
        }
        throw new AssertionError("no database check in " + ready.body());
    }
}
