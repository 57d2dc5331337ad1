package com.apintake.console.boundary;

import com.apintake.security.control.ConsoleSessions;
import com.apintake.security.entity.Roles;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.SessionTrackingMode;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web console: "/" and /console/*. Each page is the same small HTML shell (navigation by role,
 * the session's CSRF token) in which console.js renders the page from the REST API; the shell holds no
 * data, the API decides what each user may see. A user without a page's role gets 403 here already,
 * so a clerk is refused the DBA pages whatever the script does. No page loads anything from another
 * server: the Content-Security-Policy allows this origin only.
 */
@WebServlet(urlPatterns = {"", "/console", "/console/*"})
public class ConsolePages extends HttpServlet {

    /** A page of the console: its path under /console, its title, and the roles that may open it (empty: any user). */
    record Page(String path, String title, Set<String> roles, boolean inNavigation) {}

    static final Set<String> AP = Set.of(Roles.CLERK, Roles.APPROVER);
    static final Set<String> DBA = Set.of(Roles.DBA);

    static final List<Page> PAGES = List.of(
            new Page("invoices", "Invoices", AP, true),
            new Page("invoice", "Invoice", AP, false),
            new Page("exports", "Exports", AP, true),
            new Page("vendors", "Vendors", AP, true),
            new Page("database", "Database", DBA, true),
            new Page("slow-queries", "Slow queries", DBA, true),
            new Page("recommendations", "Recommendations", DBA, true),
            new Page("alerts", "Alerts", DBA, true),
            new Page("backups", "Backups", DBA, true),
            new Page("maintenance", "Maintenance", DBA, true),
            new Page("api-docs", "API", Set.of(), true));

    private static final Pattern PATH = Pattern.compile("/([a-z-]+)(?:/([0-9]+))?/?");

    static final String CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
            + "object-src 'self' blob:; frame-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
            + "form-action 'self'; base-uri 'none'";

    @Inject
    ConsoleSessions sessions;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String context = request.getContextPath();
        if (request.getUserPrincipal() == null) {
            if (request.getHeader("Authorization") != null) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"ap-intake\", charset=\"UTF-8\"");
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "The credentials were not accepted.");
                return;
            }
            String next = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
            response.sendRedirect(context + "/console/login"
                    + (next.startsWith("/console/") ? "?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8) : ""));
            return;
        }
        String info = request.getPathInfo();
        if (!request.getServletPath().equals("/console") || info == null || info.equals("/")) {
            response.sendRedirect(context + "/console/" + (canOpen(request, AP) ? "invoices" : "database"));
            return;
        }
        Matcher matcher = PATH.matcher(info);
        Page page = matcher.matches()
                ? PAGES.stream()
                        .filter(p -> p.path().equals(matcher.group(1)))
                        .findFirst()
                        .orElse(null)
                : null;
        if (page == null || (page.path().equals("invoice") != (matcher.group(2) != null))) {
            shell(request, response, HttpServletResponse.SC_NOT_FOUND, null, null, "There is no such page.");
            return;
        }
        if (!canOpen(request, page.roles())) {
            shell(
                    request,
                    response,
                    HttpServletResponse.SC_FORBIDDEN,
                    page,
                    null,
                    "This page needs one of the roles " + page.roles() + ". Your roles do not include them.");
            return;
        }
        shell(request, response, HttpServletResponse.SC_OK, page, matcher.group(2), null);
    }

    static boolean canOpen(HttpServletRequest request, Set<String> roles) {
        return roles.isEmpty() || roles.stream().anyMatch(request::isUserInRole);
    }

    private void shell(
            HttpServletRequest request, HttpServletResponse response, int status, Page page, String id, String refusal)
            throws IOException {
        String context = request.getContextPath();
        StringBuilder nav = new StringBuilder();
        for (Page p : PAGES) {
            if (p.inNavigation() && canOpen(request, p.roles())) {
                boolean current = page != null
                        && (p == page
                                || (page.path().equals("invoice") && p.path().equals("invoices")));
                nav.append("<a href=\"%s/console/%s\"%s>%s</a>"
                        .formatted(context, p.path(), current ? " aria-current=\"page\"" : "", escape(p.title())));
            }
        }
        String token = sessions.token(request, false);
        String roles = String.join(
                " ", Roles.ALL.stream().filter(request::isUserInRole).toList());
        String logout = token == null ? "" : """
                  <form method="post" action="%s/console/logout"><input type="hidden" name="csrf" value="%s">\
                  <button id="sign-out" type="submit">Sign out</button></form>""".formatted(context, escape(token));
        String extraHead = "";
        if (page != null && refusal == null && page.path().equals("database")) {
            extraHead = "<link rel=\"stylesheet\" href=\"%1$s/webjars/uplot/1.6.30/dist/uPlot.min.css\">"
                    + "<script src=\"%1$s/webjars/uplot/1.6.30/dist/uPlot.iife.min.js\" defer></script>";
        } else if (page != null && refusal == null && page.path().equals("api-docs")) {
            extraHead = "<link rel=\"stylesheet\" href=\"%1$s/webjars/swagger-ui/5.34.1/swagger-ui.css\">"
                    + "<script src=\"%1$s/webjars/swagger-ui/5.34.1/swagger-ui-bundle.js\" defer></script>";
        }
        String title = page == null ? "Not found" : page.title() + (id == null ? "" : " " + id);
        noCache(response);
        response.setHeader("Content-Security-Policy", CSP);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setStatus(status);
        response.setContentType("text/html;charset=UTF-8");
        response.getWriter().write("""
                        <!DOCTYPE html>
                        <html lang="en"><head><meta charset="utf-8"><title>%2$s · ap-intake</title>
                        <meta name="viewport" content="width=device-width, initial-scale=1">
                        <meta name="csrf-token" content="%3$s">
                        <link rel="stylesheet" href="%1$s/assets/console/console.css">
                        %4$s
                        <script src="%1$s/assets/console/console.js" defer></script></head>
                        <body data-context="%1$s" data-roles="%5$s">
                        <header><a class="brand" href="%1$s/console/">ap-intake</a><nav>%6$s</nav>
                        <span class="user" id="user">%7$s</span>%8$s</header>
                        <main id="page" data-page="%9$s" data-id="%10$s" tabindex="-1">
                        <h1>%2$s</h1>%11$s</main></body></html>
                        """.formatted(
                context,
                escape(title),
                escape(token == null ? "" : token),
                extraHead.formatted(context),
                escape(roles),
                nav,
                escape(request.getUserPrincipal().getName()),
                logout,
                refusal == null && page != null ? page.path() : "",
                id == null ? "" : id,
                refusal == null ? "" : "<p class=\"error\" id=\"refused\" role=\"alert\">" + escape(refusal) + "</p>"));
    }

    public static void noCache(HttpServletResponse response) {
        response.setHeader("Cache-Control", "no-store");
    }

    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            out.append(
                    switch (c) {
                        case '<' -> "&lt;";
                        case '>' -> "&gt;";
                        case '&' -> "&amp;";
                        case '"' -> "&quot;";
                        case '\'' -> "&#39;";
                        default -> String.valueOf(c);
                    });
        }
        return out.toString();
    }

    /** Session cookies: HttpOnly, SameSite=Strict, never in URLs. */
    @WebListener
    public static class SessionCookies implements ServletContextListener {
        @Override
        public void contextInitialized(ServletContextEvent event) {
            var context = event.getServletContext();
            context.setSessionTrackingModes(Set.of(SessionTrackingMode.COOKIE));
            var cookie = context.getSessionCookieConfig();
            cookie.setHttpOnly(true);
            cookie.setAttribute("SameSite", "Strict");
        }
    }
}
