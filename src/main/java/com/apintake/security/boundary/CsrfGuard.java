package com.apintake.security.boundary;

import com.apintake.platform.boundary.Problem;
import com.apintake.security.control.ConsoleSessions;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;

/**
 * A browser sends the session cookie with any request, including one another site makes it send. So
 * a state-changing request authenticated by the console session must also carry the session's CSRF
 * token (header X-CSRF-Token, or form field csrf), which another site cannot read. Requests that carry
 * their own credentials (HTTP Basic) are not affected. The login form checks its token itself.
 */
@WebFilter(urlPatterns = "/*")
public class CsrfGuard extends HttpFilter {

    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Inject
    ConsoleSessions sessions;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (SAFE.contains(request.getMethod())
                || !sessions.bySession(request)
                || request.getRequestURI().equals(request.getContextPath() + "/console/login")) {
            chain.doFilter(request, response);
            return;
        }
        String token = request.getHeader(ConsoleSessions.CSRF_HEADER);
        if (token == null
                && request.getContentType() != null
                && request.getContentType().startsWith("application/x-www-form-urlencoded")) {
            token = request.getParameter(ConsoleSessions.CSRF_FIELD);
        }
        if (sessions.tokenMatches(request, token)) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType(Problem.MEDIA_TYPE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter()
                .write(Json.createObjectBuilder()
                        .add("type", "about:blank")
                        .add("title", "Forbidden")
                        .add("status", 403)
                        .add(
                                "detail",
                                "A change made with the console session needs its CSRF token (header "
                                        + ConsoleSessions.CSRF_HEADER + "). Reload the page and try again.")
                        .build()
                        .toString());
    }
}
