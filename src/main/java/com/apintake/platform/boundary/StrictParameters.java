package com.apintake.platform.boundary;

import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.ext.ParamConverter;
import jakarta.ws.rs.ext.ParamConverterProvider;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.function.Function;

/**
 * Query, path, header and form parameters of every resource method, read strictly: a boolean is
 * exactly true or false (not "maybe", read as false before), a number a whole number in range, a
 * text at most {@link Inputs#DEFAULT_MAX} characters (headers {@link #HEADER_MAX}) without control
 * characters. A bad value is a 400 problem naming the parameter, never a 404 or a 500.
 */
@Provider
public class StrictParameters implements ParamConverterProvider {

    static final int HEADER_MAX = 1024;

    @Override
    @SuppressWarnings("unchecked")
    public <T> ParamConverter<T> getConverter(Class<T> rawType, Type genericType, Annotation[] annotations) {
        String name = null;
        int max = Inputs.DEFAULT_MAX;
        for (Annotation annotation : annotations) {
            if (annotation instanceof QueryParam query) {
                name = query.value();
            } else if (annotation instanceof PathParam path) {
                name = path.value();
            } else if (annotation instanceof FormParam form) {
                name = form.value();
            } else if (annotation instanceof HeaderParam header) {
                name = header.value();
                max = HEADER_MAX;
            }
        }
        if (name == null) {
            return null;
        }
        String field = name;
        int most = max;
        if (rawType == String.class) {
            return (ParamConverter<T>) converter(value -> Inputs.text(field, value, most));
        }
        if (rawType == Boolean.class || rawType == boolean.class) {
            return (ParamConverter<T>) converter(value -> switch (value) {
                case "true" -> Boolean.TRUE;
                case "false" -> Boolean.FALSE;
                default -> throw Problem.invalid(field, field + " must be true or false.");
            });
        }
        if (rawType == Long.class || rawType == long.class) {
            return (ParamConverter<T>) converter(value -> {
                try {
                    return Long.valueOf(Inputs.text(field, value, 20));
                } catch (NumberFormatException e) {
                    throw Problem.invalid(field, field + " must be a whole number.");
                }
            });
        }
        if (rawType == Integer.class || rawType == int.class) {
            return (ParamConverter<T>) converter(value -> {
                try {
                    return Integer.valueOf(Inputs.text(field, value, 11));
                } catch (NumberFormatException e) {
                    throw Problem.invalid(field, field + " must be a whole number within +-2147483647.");
                }
            });
        }
        return null;
    }

    private static <V> ParamConverter<V> converter(Function<String, V> parse) {
        return new ParamConverter<>() {
            @Override
            public V fromString(String value) {
                return value == null ? null : parse.apply(value);
            }

            @Override
            public String toString(V value) {
                return value == null ? null : value.toString();
            }
        };
    }
}
