package com.apintake.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.apintake.security.entity.Roles;
import com.apintake.testsupport.Browser;
import com.apintake.testsupport.Deployments;
import com.apintake.testsupport.Http;
import com.apintake.testsupport.InvoiceSamples;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web console in a real browser (headless Chromium through Selenium) against the test run's
 * Payara Micro: the AP flow from upload to export batch, the role-based navigation, and the DBA's
 * health score compared with the API's. Screenshots land in target/screenshots/.
 */
@ExtendWith(ArquillianExtension.class)
class ConsoleIT {

    @Deployment(testable = false)
    static WebArchive application() {
        return Deployments.application();
    }

    @ArquillianResource
    URL base;

    static final Map<String, String> PASSWORDS = new java.util.concurrent.ConcurrentHashMap<>();

    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void users() {
        for (String role : Roles.ALL) {
            PASSWORDS.computeIfAbsent(role, r -> {
                String password = HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(12));
                var created = Http.postJson(
                        base,
                        "/api/v1/users",
                        "{\"username\":\"" + user(r) + "\",\"password\":\"" + password + "\",\"roles\":[\"" + r
                                + "\"]}");
                assertThat(created.status()).as(created.body()).isEqualTo(201);
                return password;
            });
        }
    }

    @AfterEach
    void close(org.junit.jupiter.api.TestInfo test) {
        if (browser != null) {
            // What the browser showed last: the first thing to look at when a step failed.
            Browser.screenshot(
                    browser, "last-" + test.getTestMethod().orElseThrow().getName());
            browser.quit();
        }
    }

    static String user(String role) {
        return "console-" + role;
    }

    String url(String path) {
        return Http.resolve(base, path).toString();
    }

    void open() {
        browser = Browser.start();
        wait = new WebDriverWait(browser, Duration.ofSeconds(45));
    }

    void logIn(String role, String path) {
        browser.get(url(path));
        wait.until(ExpectedConditions.urlContains("/console/login"));
        browser.findElement(By.id("username")).sendKeys(user(role));
        browser.findElement(By.id("password")).sendKeys(PASSWORDS.get(role));
        browser.findElement(By.id("sign-in")).click();
        wait.until(ExpectedConditions.not(ExpectedConditions.urlContains("/console/login")));
    }

    @Test
    void anApproverUploadsTwoInvoicesResolvesApprovesAndFindsOneInAnExportBatch() throws IOException {
        Path folder = Files.createDirectories(Path.of("target", "console-it"));
        List<String> numbers = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String number = "CON-" + ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L);
            String vat = "DE" + ThreadLocalRandom.current().nextLong(100_000_000L, 999_999_999L);
            Path file = folder.resolve(number + ".xml");
            Files.writeString(
                    file,
                    InvoiceSamples.mutated(
                            InvoiceSamples.UBL_INVOICE,
                            "INV-2024-0042",
                            number,
                            "DE123456789",
                            vat,
                            "Nordwind Bürobedarf GmbH",
                            "Console " + vat));
            numbers.add(number);
            files.add(file.toAbsolutePath());
        }
        open();
        logIn(Roles.APPROVER, "/");
        assertThat(browser.getCurrentUrl()).endsWith("/console/invoices");
        assertThat(browser.findElement(By.tagName("nav")).getText())
                .contains("Invoices", "Exports", "Vendors")
                .doesNotContain("Database");

        browser.findElement(By.id("upload-files")).sendKeys(files.get(0) + "\n" + files.get(1));
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#upload-results li.done"), 2));
        wait.until(d -> d.findElement(By.id("invoices")).getText().contains(numbers.get(0)));
        assertThat(browser.findElement(By.id("invoices")).getText()).contains(numbers.get(1));
        Browser.screenshot(browser, "console-invoices");

        WebElement first = browser.findElement(By.cssSelector("#upload-results li.done a"));
        long id = Long.parseLong(first.getText().substring(1));
        first.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("fields")));
        assertThat(browser.findElement(By.id("fields")).getText()).contains(numbers.get(0));
        assertThat(browser.findElement(By.id("validations")).getText())
                .contains("EN16931 1.3.15 rules")
                .contains("AP-VENDOR-MATCH");
        assertThat(browser.findElement(By.id("exception-table")).getText()).contains("UNKNOWN_VENDOR");
        Browser.screenshot(browser, "console-invoice");

        while (!browser.findElements(By.cssSelector("#exception-table button.resolve"))
                .isEmpty()) {
            WebElement resolve = browser.findElement(By.cssSelector("#exception-table button.resolve"));
            resolve.click();
            wait.until(ExpectedConditions.stalenessOf(resolve));
        }
        wait.until(ExpectedConditions.textToBe(By.id("workflow-status"), "PENDING_APPROVAL"));
        browser.findElement(By.id("approve")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("decision-result"), "Approved"));
        assertThat(Http.get(base, "/api/v1/invoices/" + id).<JsonObject>json().getString("workflowStatus"))
                .isIn("APPROVED", "STAGED");

        // Approving again is refused with the 409 explained.
        browser.findElement(By.id("approve")).click();
        wait.until(
                ExpectedConditions.textToBePresentInElementLocated(By.id("decision-result"), "Not possible now: 409"));

        browser.findElement(By.linkText("Exports")).click();
        wait.until(ExpectedConditions.elementToBeClickable(By.id("run-export"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("export-result"), "Batch"));
        wait.until(d -> !d.findElements(By.linkText("#" + id)).isEmpty());
        assertThat(browser.findElement(By.id("batch-table")).getText()).contains("#" + id);
        Browser.screenshot(browser, "console-exports");
        assertThat(Http.get(base, "/api/v1/invoices/" + id).<JsonObject>json().getString("workflowStatus"))
                .isEqualTo("EXPORTED");
    }

    @Test
    void aClerkSeesNoDbaPagesAndIsRefusedThem() {
        open();
        logIn(Roles.CLERK, "/console/invoices");
        assertThat(browser.findElement(By.tagName("nav")).getText())
                .contains("Invoices")
                .doesNotContain("Database", "Backups", "Slow queries");
        for (String page : List.of("database", "slow-queries", "recommendations", "alerts", "backups", "maintenance")) {
            browser.get(url("/console/" + page));
            assertThat(browser.findElement(By.id("refused")).getText()).contains("dba");
        }
        Browser.screenshot(browser, "console-refused");
        assertThat(Http.as(user(Roles.CLERK), PASSWORDS.get(Roles.CLERK))
                        .get(base, "/console/database")
                        .status())
                .isEqualTo(403);
        // The session signs out.
        browser.get(url("/console/invoices"));
        browser.findElement(By.id("sign-out")).click();
        wait.until(ExpectedConditions.urlContains("/console/login"));
        browser.get(url("/console/invoices"));
        wait.until(ExpectedConditions.urlContains("/console/login"));
    }

    @Test
    void theDbaSeesTheHealthScoreTheApiReports() {
        open();
        logIn(Roles.DBA, "/");
        assertThat(browser.getCurrentUrl()).endsWith("/console/database");
        assertThat(browser.findElement(By.tagName("nav")).getText()).doesNotContain("Invoices");
        // The score is measured live on every request; repeat until the API agrees on both sides of the page load.
        for (int attempt = 1; ; attempt++) {
            int before =
                    Http.get(base, "/api/v1/database/health").<JsonObject>json().getInt("score");
            browser.get(url("/console/database"));
            String shown = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("health-score")))
                    .getText();
            int after =
                    Http.get(base, "/api/v1/database/health").<JsonObject>json().getInt("score");
            if (before == after || attempt == 5) {
                assertThat(Integer.parseInt(shown)).isIn(before, after);
                break;
            }
        }
        assertThat(browser.findElement(By.id("components")).getText()).contains("pool_utilization", "cache_hit_ratio");
        assertThat(browser.findElement(By.id("cache-hit")).getText()).matches("[0-9.,]+ %|not available");
        Browser.screenshot(browser, "console-database");
        for (String page : List.of("slow-queries", "recommendations", "alerts", "backups", "maintenance")) {
            browser.get(url("/console/" + page));
            wait.until(d -> "true".equals(d.findElement(By.tagName("body")).getAttribute("data-ready")));
            assertThat(browser.findElements(By.id("refused"))).isEmpty();
            Browser.screenshot(browser, "console-" + page);
        }
        browser.get(url("/console/api-docs"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#swagger .swagger-ui")));
        Browser.screenshot(browser, "console-api-docs");
    }

    @Test
    void theSlowQueryPageExplainsAStatementWithOneClick() throws Exception {
        try (var connection = com.apintake.testsupport.TestEnvironment.connect();
                // pg_stat_statements ignores column aliases: a shape of its own gives it a queryid of its own.
                var statement = connection.prepareStatement("SELECT pg_sleep(?), length(?) AS console_explain_it")) {
            for (int i = 0; i < 5; i++) {
                statement.setDouble(1, 0.12);
                statement.setString(2, "console");
                statement.execute();
            }
        }
        open();
        logIn(Roles.DBA, "/console/slow-queries");
        var row = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.xpath("//table[@id='slow-statements']//tr[td[contains(., 'console_explain_it')]]")));
        row.findElement(By.cssSelector("button.explain")).click();
        String plan = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("slow-plan")))
                .getText();
        assertThat(plan).contains("Result");
        Browser.screenshot(browser, "console-slow-query-plan");
    }

    @Test
    void withoutASessionTheConsoleAsksForALoginAndBasicCredentialsOpenPagesDirectly() {
        var anonymous = Http.anonymous().get(base, "/console/invoices");
        assertThat(anonymous.status()).isEqualTo(302);
        assertThat(anonymous.headers().firstValue("Location"))
                .hasValueSatisfying(l -> assertThat(l).contains("/console/login?next=%2Fconsole%2Finvoices"));
        var basic = Http.as(user(Roles.CLERK), PASSWORDS.get(Roles.CLERK)).get(base, "/console/invoices");
        assertThat(basic.status()).isEqualTo(200);
        assertThat(basic.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).contains("default-src 'self'"));
        assertThat(Http.as(user(Roles.CLERK), "wrong-password")
                        .get(base, "/console/invoices")
                        .status())
                .isEqualTo(401);
    }

    @Test
    void aSessionChangesNothingWithoutItsCsrfToken() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        String form = client.send(
                        HttpRequest.newBuilder(Http.resolve(base, "/console/login"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        String loginToken = token(form, "name=\"csrf\" value=\"([^\"]+)\"");

        var forged = client.send(login(Roles.APPROVER, "not-the-token"), HttpResponse.BodyHandlers.ofString());
        assertThat(forged.statusCode()).isEqualTo(403);
        var wrong =
                client.send(login(Roles.APPROVER, loginToken, "wrong-password"), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        String retryToken = token(wrong.body(), "name=\"csrf\" value=\"([^\"]+)\"");
        var ok = client.send(login(Roles.APPROVER, retryToken), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(302);

        String page = client.send(
                        HttpRequest.newBuilder(Http.resolve(base, "/console/exports"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        String sessionToken = token(page, "name=\"csrf-token\" content=\"([^\"]+)\"");
        assertThat(sessionToken).isNotEqualTo(retryToken);

        // Reads need no token; a change without it is refused and changes nothing.
        var read = client.send(
                HttpRequest.newBuilder(Http.resolve(base, "/api/v1/vendors?limit=1"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(read.statusCode()).isEqualTo(200);
        String name = "Csrf Vendor " + ThreadLocalRandom.current().nextLong(1_000_000L, 9_999_999L);
        HttpRequest.Builder create = HttpRequest.newBuilder(Http.resolve(base, "/api/v1/vendors"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}"));
        var refused = client.send(create.copy().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(Http.get(base, "/api/v1/vendors?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8))
                        .body())
                .isEqualTo("[]");
        var accepted = client.send(
                create.copy().header("X-CSRF-Token", sessionToken).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);

        // Logging out ends the session: the API answers 401 to its cookie.
        client.send(
                HttpRequest.newBuilder(Http.resolve(base, "/console/logout"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("csrf=" + sessionToken))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(client.send(
                                HttpRequest.newBuilder(Http.resolve(base, "/api/v1/vendors?limit=1"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode())
                .isEqualTo(401);
    }

    HttpRequest login(String role, String token) {
        return login(role, token, PASSWORDS.get(role));
    }

    HttpRequest login(String role, String token, String password) {
        String form = "csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&username=" + user(role)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(Http.resolve(base, "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
    }

    static String token(String html, String pattern) {
        Matcher matcher = Pattern.compile(pattern).matcher(html);
        assertThat(matcher.find()).as(html).isTrue();
        return matcher.group(1);
    }
}
