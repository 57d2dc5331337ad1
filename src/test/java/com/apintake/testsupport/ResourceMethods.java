package com.apintake.testsupport;

import com.apintake.platform.boundary.ApiApplication;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Every JAX-RS resource method the WAR's classes hold, found by reading the compiled classes folder
 * (target/classes, what the WAR packs in WEB-INF/classes): a class with @Path, or any class with a
 * method carrying an HTTP method annotation or @Path (sub-resources), whoever wrote it.
 */
public final class ResourceMethods {

    /** One endpoint: its Java method, HTTP method (null for a sub-resource locator), full path and what it consumes. */
    public record Endpoint(Class<?> type, Method method, String httpMethod, String path, String consumes) {
        public String name() {
            return type.getName() + "#" + method.getName();
        }
    }

    private ResourceMethods() {}

    public static List<Endpoint> all() {
        List<Endpoint> endpoints = new ArrayList<>();
        for (Class<?> type : classes()) {
            Path classPath = type.getAnnotation(Path.class);
            for (Method method : type.getDeclaredMethods()) {
                if (method.isSynthetic() || !Modifier.isPublic(method.getModifiers())) {
                    continue;
                }
                String httpMethod = httpMethod(method);
                Path methodPath = method.getAnnotation(Path.class);
                if (httpMethod == null && methodPath == null) {
                    continue;
                }
                Consumes consumes = method.getAnnotation(Consumes.class);
                if (consumes == null) {
                    consumes = type.getAnnotation(Consumes.class);
                }
                endpoints.add(new Endpoint(
                        type,
                        method,
                        httpMethod,
                        "/"
                                + ApiApplication.class
                                        .getAnnotation(ApplicationPath.class)
                                        .value() + join(classPath) + join(methodPath),
                        consumes == null ? null : consumes.value()[0]));
            }
        }
        endpoints.sort(Comparator.comparing(Endpoint::path).thenComparing(Endpoint::name));
        return endpoints;
    }

    private static String join(Path path) {
        if (path == null || path.value().isEmpty() || path.value().equals("/")) {
            return "";
        }
        String value = path.value().replaceAll("^/+|/+$", "");
        return "/" + value;
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

    private static List<Class<?>> classes() {
        try {
            java.nio.file.Path root = java.nio.file.Path.of(ApiApplication.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            if (!Files.isDirectory(root)) {
                throw new IllegalStateException("Expected the compiled classes folder, got " + root);
            }
            List<Class<?>> classes = new ArrayList<>();
            try (var files = Files.walk(root)) {
                for (java.nio.file.Path file :
                        files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name =
                            root.relativize(file).toString().replace('/', '.').replaceAll("\\.class$", "");
                    classes.add(Class.forName(name, false, ResourceMethods.class.getClassLoader()));
                }
            }
            return classes;
        } catch (IOException | URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException("Scanning the application's classes failed", e);
        }
    }
}
