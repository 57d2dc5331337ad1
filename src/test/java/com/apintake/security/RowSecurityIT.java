package com.apintake.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.TestEnvironment;
import jakarta.json.JsonObject;
import java.net.URL;
import java.sql.Connection;
import java.sql.SQLException;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The database guards the sensitive data itself: a transaction running as ap_app, the role the
 * application's queries run under, sees original documents and vendors only with the application
 * role that needs them, never reads a bank account column, and cannot rewrite the audit trail. Any
 * query, however wrong, gets no more than this.
 */
@ExtendWith(ArquillianExtension.class)
class RowSecurityIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    @BeforeEach
    void someData() {
        String vat = SecurityIT.freshVat();
        var vendor = Http.postJson(
                base,
                "/api/v1/vendors",
                "{\"name\":\"RLS " + vat + "\",\"vatId\":\"" + vat + "\",\"iban\":\"DE89370400440532013000\"}");
        assertThat(vendor.status()).as(vendor.body()).isEqualTo(201);
        var upload = Http.post(base, "/api/v1/invoices", "application/xml", SecurityIT.sample(vat));
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
    }

    @Test
    void aSessionWithoutTheRoleReadsNothing() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            long documents = count(connection, "SELECT count(*) FROM invoice_documents");
            long vendorsWithIban = count(connection, "SELECT count(*) FROM vendors WHERE iban IS NOT NULL");
            assertThat(documents).as("the owner sees the documents").isPositive();
            assertThat(vendorsWithIban).isPositive();
            connection.setAutoCommit(false);

            asApp(connection, "");
            assertThat(count(connection, "SELECT count(*) FROM invoice_documents"))
                    .isZero();
            assertThat(count(connection, "SELECT count(*) FROM vendors")).isZero();
            assertThat(count(connection, "SELECT count(*) FROM vendors_visible"))
                    .isZero();
            assertThat(count(connection, "SELECT count(*) FROM audit_log")).isZero();
            assertThat(count(connection, "SELECT count(*) FROM invoices"))
                    .as("invoices themselves are not secret")
                    .isPositive();
            connection.rollback();

            asApp(connection, "dba");
            assertThat(count(connection, "SELECT count(*) FROM invoice_documents"))
                    .isZero();
            assertThat(count(connection, "SELECT count(*) FROM vendors_visible"))
                    .isZero();
            assertThat(count(connection, "SELECT count(*) FROM audit_log")).isPositive();
            connection.rollback();

            asApp(connection, "ap-clerk");
            assertThat(count(connection, "SELECT count(*) FROM invoice_documents"))
                    .isEqualTo(documents);
            assertThat(count(connection, "SELECT count(*) FROM vendors_visible WHERE iban IS NOT NULL"))
                    .as("a clerk sees vendors, not their bank accounts")
                    .isZero();
            assertThat(count(connection, "SELECT count(*) FROM vendors_visible WHERE account_holder IS NOT NULL"))
                    .isZero();
            assertThat(count(connection, "SELECT count(*) FROM audit_log")).isZero();
            connection.rollback();

            asApp(connection, "ap-approver");
            assertThat(count(connection, "SELECT count(*) FROM invoice_documents"))
                    .isEqualTo(documents);
            assertThat(count(connection, "SELECT count(*) FROM vendors_visible WHERE iban IS NOT NULL"))
                    .isEqualTo(vendorsWithIban);
            connection.rollback();
        }
    }

    @Test
    void bankColumnsAreNeverReadableDirectly() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            connection.setAutoCommit(false);
            for (String query : new String[] {
                "SELECT iban FROM vendors", "SELECT account_holder FROM vendors", "SELECT * FROM vendors"
            }) {
                asApp(connection, "ap-clerk,ap-approver,dba");
                assertThatThrownBy(() -> count(connection, "SELECT count(*) FROM (" + query + ") q"))
                        .isInstanceOf(SQLException.class)
                        .hasMessageContaining("permission denied");
                connection.rollback();
            }
            asApp(connection, "");
            assertThatThrownBy(() -> count(connection, "SELECT count(*) FROM vendor_bank_check(1, 'DE89')"))
                    .hasMessageContaining("needs the application role");
            connection.rollback();
            asApp(connection, "ap-clerk");
            assertThatThrownBy(() -> count(
                            connection,
                            "SELECT count(*) FROM invoice_documents WHERE true; "
                                    + "UPDATE invoice_documents SET content = ''"))
                    .hasMessageContaining("permission denied");
            connection.rollback();
        }
    }

    @Test
    void theAuditTrailTakesEntriesOnlyInTheCallersName() throws Exception {
        try (Connection connection = TestEnvironment.connect()) {
            connection.setAutoCommit(false);
            asApp(connection, "ap-clerk");
            try (var set = connection.createStatement()) {
                set.execute("SELECT set_config('app.user', 'clerk-a', true)");
            }
            try (var insert = connection.createStatement()) {
                insert.execute("INSERT INTO audit_log (actor, action) VALUES ('clerk-a', 'invoice.upload')");
            }
            assertThatThrownBy(() -> {
                        try (var insert = connection.createStatement()) {
                            insert.execute("INSERT INTO audit_log (actor, action) VALUES ('ceo', 'invoice.upload')");
                        }
                    })
                    .hasMessageContaining("row-level security");
            connection.rollback();
        }
        JsonObject page = Http.get(base, "/api/v1/audit?limit=5").json();
        assertThat(page.getJsonArray("items")).isNotEmpty();
    }

    /** What Caller.scope does at the start of every business transaction. */
    private static void asApp(Connection connection, String roles) throws SQLException {
        try (var statement = connection.prepareStatement(
                "SELECT set_config('role', 'ap_app', true), set_config('app.roles', ?, true)")) {
            statement.setString(1, roles);
            statement.execute();
        }
    }

    private static long count(Connection connection, String sql) throws SQLException {
        try (var statement = connection.createStatement()) {
            statement.execute(sql);
            try (var rows = statement.getResultSet()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
