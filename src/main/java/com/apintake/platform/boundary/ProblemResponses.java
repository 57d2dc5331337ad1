package com.apintake.platform.boundary;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The problem+json answers particular to one resource method (e.g. {"400", "404", "409"}), which
 * OpenApiRoles adds to its operation in /openapi. Declared this way rather than with @APIResponse,
 * because an @APIResponse on a method makes Payara drop the success answer it generates from the
 * method's return type. 401, 403, 500 and 503 are added to every operation anyway.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ProblemResponses {
    String[] value();
}
