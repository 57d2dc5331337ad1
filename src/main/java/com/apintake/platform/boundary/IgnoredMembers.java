package com.apintake.platform.boundary;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Members of a JSON request body that older clients send and that are accepted and ignored (say a
 * "resolvedBy" from before the caller was taken from the login). Every other unknown member is a 400.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface IgnoredMembers {
    String[] value();
}
