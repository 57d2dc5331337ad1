package com.apintake.security.boundary;

import com.apintake.security.entity.Roles;
import jakarta.json.Json;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * /openapi describes every endpoint of the API, so only a logged-in user (any role) may read it,
 * like the API itself. Payara adds its OpenAPI servlet to the web module at the server root, which
 * is ours: this filter of our module therefore sees those requests after BasicAuthentication ran.
 * (Payara's own set-openapi-configuration --securityenabled would instead check its file realm and
 * create a file user "mp" with the password "mp"; this keeps the one login of ap-intake.)
 */
@WebFilter(urlPatterns = {"/openapi", "/openapi/*"})
public class OpenApiGuard extends HttpFilter {

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Cache-Control", "no-store");
        if (request.getUserPrincipal() != null && Roles.ALL.stream().anyMatch(request::isUserInRole)) {
            chain.doFilter(request, response);
            return;
        }
        if (request.getUserPrincipal() != null) {
            problem(response, 403, "Forbidden", "The API description is for users holding a role.");
        } else if (request.getAttribute(BasicAuthentication.UNAVAILABLE) != null) {
            response.setHeader("Retry-After", "10");
            problem(response, 503, "Service Unavailable", "Credentials cannot be checked now. Try again shortly.");
        } else if (request.getAttribute(BasicAuthentication.THROTTLED) != null) {
            response.setHeader(
                    "Retry-After",
                    request.getAttribute(BasicAuthentication.THROTTLED).toString());
            problem(response, 429, "Too Many Requests", "Too many failed logins for this user or from this address.");
        } else {
            response.setHeader("WWW-Authenticate", BasicAuthentication.CHALLENGE);
            problem(response, 401, "Unauthorized", "The API description needs credentials: HTTP Basic.");
        }
    }

    private static void problem(HttpServletResponse response, int status, String title, String detail)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter()
                .write(Json.createObjectBuilder()
                        .add("type", "about:blank")
                        .add("title", title)
                        .add("status", status)
                        .add("detail", detail)
                        .build()
                        .toString());
    }
}
