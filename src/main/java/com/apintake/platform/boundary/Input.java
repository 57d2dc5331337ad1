package com.apintake.platform.boundary;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The limits of one member of a JSON request body (a record component), read by {@link StrictJson}.
 * A text member without it is single-line with at most {@link Inputs#DEFAULT_MAX} characters.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Input {

    /** Most characters of a text, or most elements of a list. */
    int max() default Inputs.DEFAULT_MAX;

    /** Free text: tab and line breaks allowed (never any other control character). */
    boolean multiline() default false;
}
