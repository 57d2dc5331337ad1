package com.apintake.platform.boundary;

import jakarta.annotation.security.DenyAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

/**
 * Completes /openapi from what the code enforces, so the document cannot drift from it: every
 * operation gets the roles of its @RolesAllowed (extension x-roles and a line in its description),
 * the Basic security requirement, and the problem+json answers every endpoint can give (401, 403,
 * 503, 500). Errors particular to one operation (400, 404, 409, ...) are annotated on the method.
 * Registered with mp.openapi.filter.
 */
public class OpenApiRoles implements OASFilter {

    private static final Logger LOG = Logger.getLogger(OpenApiRoles.class.getName());

    static final String PROBLEM = "#/components/schemas/Problem";

    static final Map<String, String> MEANING = Map.of(
            "400", "Bad input: the detail says which parameter and why; nothing is stored.",
            "404", "No such resource.",
            "406", "A format that is not offered.",
            "409", "Not possible in the current state: the detail says why.",
            "413", "The file is larger than apintake.intake.max-bytes.",
            "415", "Not a format that is read.",
            "422", "Malformed or hostile content; nothing is stored.");

    /** What the code says about one operation: the roles it enforces and the problems it can answer. */
    record Declared(List<String> roles, List<String> problems, String tag) {}

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        // JAX-RS allows {id: [0-9]+}; an OpenAPI path template names the parameter only.
        for (String path : List.copyOf(openAPI.getPaths().getPathItems().keySet())) {
            String plain = plainPath(path);
            if (!plain.equals(path)) {
                PathItem item = openAPI.getPaths().getPathItem(path);
                openAPI.getPaths().removePathItem(path);
                openAPI.getPaths().addPathItem(plain, item);
            }
        }
        Map<String, Declared> declared = declared();
        for (var path : openAPI.getPaths().getPathItems().entrySet()) {
            for (var operation : path.getValue().getOperations().entrySet()) {
                Declared found = declared.get(key(operation.getKey().name(), path.getKey()));
                complete(operation.getValue(), found == null ? null : found.roles());
                if (found != null) {
                    if (operation.getValue().getTags() == null
                            || operation.getValue().getTags().isEmpty()) {
                        operation.getValue().addTag(found.tag());
                    }
                    for (String status : found.problems()) {
                        problem(operation.getValue().getResponses(), status, MEANING.getOrDefault(status, "An error."));
                    }
                }
            }
        }
    }

    static void complete(Operation operation, List<String> allowed) {
        if (allowed != null) {
            operation.addExtension("x-roles", allowed);
            String line = allowed.isEmpty()
                    ? "Roles: none (refused to everyone)."
                    : "Roles: " + String.join(", ", allowed) + ".";
            operation.setDescription(
                    operation.getDescription() == null
                                    || operation.getDescription().isBlank()
                            ? line
                            : operation.getDescription() + "\n\n" + line);
        }
        if (operation.getSecurity() == null || operation.getSecurity().isEmpty()) {
            operation.addSecurityRequirement(
                    OASFactory.createSecurityRequirement().addScheme("basic"));
        }
        if (operation.getResponses() == null) {
            operation.setResponses(OASFactory.createAPIResponses());
        }
        APIResponses responses = operation.getResponses();
        problem(responses, "401", "No credentials, or credentials not accepted (with the Basic challenge).");
        problem(responses, "403", "The user holds none of the roles this operation needs.");
        problem(
                responses,
                "503",
                "Unavailable for now (the database, a tool or a folder the operation needs); retry later.");
        problem(responses, "500", "An unexpected error; the detail never holds a stack trace or SQL.");
    }

    static void problem(APIResponses responses, String status, String description) {
        if (responses.hasAPIResponse(status)) {
            return;
        }
        responses.addAPIResponse(
                status,
                OASFactory.createAPIResponse()
                        .description(description)
                        .content(OASFactory.createContent()
                                .addMediaType(
                                        Problem.MEDIA_TYPE,
                                        OASFactory.createMediaType()
                                                .schema(OASFactory.createSchema()
                                                        .ref(PROBLEM)))));
    }

    /** "GET /api/v1/invoices/{id}" to what its Java method declares (roles null when it declares none). */
    static Map<String, Declared> declared() {
        Map<String, Declared> declared = new HashMap<>();
        String root =
                "/" + ApiApplication.class.getAnnotation(ApplicationPath.class).value();
        try {
            for (Class<?> type : classes()) {
                Path classPath = type.getAnnotation(Path.class);
                if (classPath == null) {
                    continue;
                }
                for (Method method : type.getDeclaredMethods()) {
                    String http = httpMethod(method);
                    if (http == null || method.isSynthetic() || !Modifier.isPublic(method.getModifiers())) {
                        continue;
                    }
                    ProblemResponses problems = method.getAnnotation(ProblemResponses.class);
                    Declared one = new Declared(
                            rolesOf(type, method),
                            problems == null ? List.of() : List.of(problems.value()),
                            type.getSimpleName().replace("Resource", ""));
                    // Two Java methods on one operation (e.g. raw and multipart upload): their problems add up.
                    declared.merge(
                            key(http, root + join(classPath) + join(method.getAnnotation(Path.class))),
                            one,
                            (a, b) -> new Declared(
                                    a.roles(),
                                    Stream.concat(a.problems().stream(), b.problems().stream())
                                            .distinct()
                                            .toList(),
                                    a.tag()));
                }
            }
        } catch (IOException | ReflectiveOperationException | URISyntaxException | RuntimeException e) {
            LOG.warning("OpenAPI roles could not be read from the classes: " + e);
        }
        return declared;
    }

    /** The application's classes, read from WEB-INF/classes. */
    static List<Class<?>> classes() throws IOException, URISyntaxException, ClassNotFoundException {
        java.nio.file.Path folder = java.nio.file.Path.of(ApiApplication.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        // Payara names the class file itself as the code source: go up to the classes folder.
        String own = ApiApplication.class.getName().replace('.', '/') + ".class";
        if (folder.toString().endsWith(own)) {
            folder = java.nio.file.Path.of(
                    folder.toString().substring(0, folder.toString().length() - own.length()));
        }
        if (!Files.isDirectory(folder)) {
            LOG.warning("OpenAPI roles: the classes are not in a folder (" + folder + "); x-roles left out.");
            return List.of();
        }
        List<Class<?>> classes = new ArrayList<>();
        try (var files = Files.walk(folder)) {
            for (var file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name =
                        folder.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                if (name.startsWith("com.apintake.")) {
                    classes.add(Class.forName(name, false, OpenApiRoles.class.getClassLoader()));
                }
            }
        }
        return classes;
    }

    /** @RolesAllowed of the method, else of its class; empty for @DenyAll; null when neither says. */
    public static List<String> rolesOf(Class<?> type, Method method) {
        if (method.isAnnotationPresent(DenyAll.class)) {
            return List.of();
        }
        if (method.isAnnotationPresent(RolesAllowed.class)) {
            return List.of(method.getAnnotation(RolesAllowed.class).value());
        }
        if (type.isAnnotationPresent(DenyAll.class)) {
            return List.of();
        }
        if (type.isAnnotationPresent(RolesAllowed.class)) {
            return List.of(type.getAnnotation(RolesAllowed.class).value());
        }
        return null;
    }

    /** The same key for a Java method and an OpenAPI path: path parameters without their regular expressions. */
    public static String key(String httpMethod, String path) {
        return httpMethod.toUpperCase(Locale.ROOT) + " " + plainPath(path);
    }

    static String plainPath(String path) {
        return path.replaceAll("\\{\\s*([A-Za-z0-9_]+)\\s*:[^}]*}", "{$1}").replaceAll("(.)/+$", "$1");
    }

    private static String join(Path path) {
        if (path == null || path.value().isEmpty() || path.value().equals("/")) {
            return "";
        }
        return "/" + path.value().replaceAll("^/+|/+$", "");
    }

    private static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod http = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }
}
