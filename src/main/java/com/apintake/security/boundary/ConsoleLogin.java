package com.apintake.security.boundary;

import com.apintake.console.boundary.ConsolePages;
import com.apintake.security.control.ConsoleSessions;
import com.apintake.security.entity.Roles;
import jakarta.inject.Inject;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * The console's login and logout. The password goes to the one credential check of the application
 * (the identity store, through ConsoleSessions); a successful login starts a new session.
 */
@WebServlet(urlPatterns = {"/console/login", "/console/logout"})
public class ConsoleLogin extends HttpServlet {

    @Inject
    ConsoleSessions sessions;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getServletPath().equals("/console/logout")) {
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        form(request, response, HttpServletResponse.SC_OK, null);
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        boolean tokenOk = sessions.tokenMatches(request, request.getParameter(ConsoleSessions.CSRF_FIELD));
        if (request.getServletPath().equals("/console/logout")) {
            if (tokenOk) {
                sessions.logout(request);
            }
            response.sendRedirect(request.getContextPath() + "/console/login?bye");
            return;
        }
        if (!tokenOk) {
            form(request, response, HttpServletResponse.SC_FORBIDDEN, "The form had expired. Please sign in again.");
            return;
        }
        String username =
                Optional.ofNullable(request.getParameter("username")).orElse("").strip();
        String password = Optional.ofNullable(request.getParameter("password")).orElse("");
        if (username.isEmpty() || password.isEmpty()) {
            form(request, response, HttpServletResponse.SC_BAD_REQUEST, "Enter your user name and password.");
            return;
        }
        Optional<Set<String>> roles;
        try {
            roles = sessions.login(request, username, password);
        } catch (ConsoleSessions.Throttled e) {
            response.setHeader("Retry-After", Long.toString(e.retryAfterSeconds()));
            form(request, response, 429, e.getMessage());
            return;
        } catch (ConsoleSessions.Unavailable e) {
            response.setHeader("Retry-After", "10");
            form(request, response, HttpServletResponse.SC_SERVICE_UNAVAILABLE, e.getMessage() + " Try again shortly.");
            return;
        }
        if (roles.isEmpty()) {
            form(request, response, HttpServletResponse.SC_UNAUTHORIZED, "The user name or password was not accepted.");
            return;
        }
        String next = request.getParameter("next");
        if (next == null || !next.matches("/console(/[A-Za-z0-9/_-]*)?")) {
            next = roles.get().contains(Roles.CLERK) || roles.get().contains(Roles.APPROVER)
                    ? "/console/invoices"
                    : "/console/database";
        }
        response.sendRedirect(request.getContextPath() + next);
    }

    private void form(HttpServletRequest request, HttpServletResponse response, int status, String error)
            throws IOException {
        String token = sessions.token(request, true);
        String next = request.getParameter("next");
        ConsolePages.noCache(response);
        response.setStatus(status);
        response.setContentType("text/html;charset=UTF-8");
        String message = error != null
                ? "<p class=\"error\" role=\"alert\">" + ConsolePages.escape(error) + "</p>"
                : request.getParameter("bye") != null ? "<p class=\"note\">You are signed out.</p>" : "";
        response.getWriter().write("""
                        <!DOCTYPE html>
                        <html lang="en"><head><meta charset="utf-8"><title>Sign in · ap-intake</title>
                        <meta name="viewport" content="width=device-width, initial-scale=1">
                        <link rel="stylesheet" href="%1$s/assets/console/console.css"></head>
                        <body class="login"><main>
                        <h1>ap-intake</h1>
                        %2$s
                        <form method="post" action="%1$s/console/login">
                        <input type="hidden" name="csrf" value="%3$s">
                        <input type="hidden" name="next" value="%4$s">
                        <label>User name <input id="username" name="username" autocomplete="username" required autofocus></label>
                        <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
                        <button id="sign-in" type="submit">Sign in</button>
                        </form></main></body></html>
                        """.formatted(
                        request.getContextPath(),
                        message,
                        ConsolePages.escape(token),
                        ConsolePages.escape(next == null ? "" : next)));
    }
}
