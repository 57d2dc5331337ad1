package com.apintake.platform.boundary;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads every JSON request body of ap-intake (our records) strictly, instead of the lenient default
 * binding, which answered 500 to truncated JSON and coerced "maybe" into false: the body must be one
 * JSON object; a text member is a JSON string within its {@link Input} limits, a boolean is
 * true/false, a number an integer in range, a list an array of strings, a date-time an ISO string
 * within what PostgreSQL stores; members the record does not have are refused (except those the
 * record lists as {@link IgnoredMembers}). Every violation is a 400 problem naming the member.
 */
@Provider
@Consumes(MediaType.WILDCARD)
public class StrictJson implements MessageBodyReader<Record> {

    /** Largest JSON body: our bodies are a handful of short members. */
    public static final int MAX_BYTES = 64 * 1024;

    static final int MAX_LIST = 50;

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type.isRecord() && type.getName().startsWith("com.apintake.");
    }

    @Override
    public Record readFrom(
            Class<Record> type,
            Type genericType,
            Annotation[] annotations,
            MediaType mediaType,
            MultivaluedMap<String, String> headers,
            InputStream entity)
            throws IOException, WebApplicationException {
        byte[] bytes = entity.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) {
            throw Problem.of(
                    Response.Status.REQUEST_ENTITY_TOO_LARGE, "A JSON body may have at most " + MAX_BYTES + " bytes.");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw Problem.invalid("body", "The body is not UTF-8 text.");
        }
        if (text.isBlank()) {
            return null;
        }
        return read(type, text);
    }

    /** Parses and checks a body; public for the unit test and for resources that take a String body. */
    public static <T extends Record> T read(Class<T> type, String text) {
        JsonValue value;
        try (var reader = Json.createReader(new StringReader(text))) {
            value = reader.readValue();
        } catch (JsonException | IllegalStateException | java.util.NoSuchElementException e) {
            throw Problem.invalid("body", "The body is not valid JSON.");
        }
        if (!(value instanceof JsonObject object)) {
            throw Problem.invalid("body", "The body must be a JSON object {...}.");
        }
        return bind(type, object);
    }

    static <T extends Record> T bind(Class<T> type, JsonObject object) {
        RecordComponent[] components = type.getRecordComponents();
        Set<String> known = new HashSet<>();
        for (RecordComponent component : components) {
            known.add(component.getName());
        }
        IgnoredMembers ignored = type.getAnnotation(IgnoredMembers.class);
        if (ignored != null) {
            known.addAll(Arrays.asList(ignored.value()));
        }
        for (String member : object.keySet()) {
            if (!known.contains(member)) {
                String name = Inputs.quotable(member);
                throw Problem.invalid(
                        name,
                        "Unknown member '" + name + "'; this body takes "
                                + Arrays.stream(components)
                                        .map(RecordComponent::getName)
                                        .toList() + ".");
            }
        }
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent component = components[i];
            types[i] = component.getType();
            values[i] = convert(component, object.get(component.getName()));
        }
        try {
            var constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof WebApplicationException web) {
                throw web;
            }
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw Problem.of(Response.Status.BAD_REQUEST, invalid.getMessage());
            }
            throw new IllegalStateException("Constructing " + type.getName() + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Constructing " + type.getName() + " failed", e);
        }
    }

    private static Object convert(RecordComponent component, JsonValue value) {
        String field = component.getName();
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            if (component.getType().isPrimitive()) {
                throw Problem.invalid(field, field + " is required.");
            }
            return null;
        }
        Input limits = component.getAnnotation(Input.class);
        int max = limits == null ? Inputs.DEFAULT_MAX : limits.max();
        boolean multiline = limits != null && limits.multiline();
        Class<?> type = component.getType();
        if (type == String.class) {
            return text(field, value, max, multiline);
        }
        if (type == Boolean.class || type == boolean.class) {
            if (value == JsonValue.TRUE || value.getValueType() == JsonValue.ValueType.TRUE) {
                return Boolean.TRUE;
            }
            if (value.getValueType() == JsonValue.ValueType.FALSE) {
                return Boolean.FALSE;
            }
            throw Problem.invalid(field, field + " must be true or false.");
        }
        if (type == Long.class || type == long.class) {
            return integer(field, value, Long.MIN_VALUE, Long.MAX_VALUE).longValue();
        }
        if (type == Integer.class || type == int.class) {
            return integer(field, value, Integer.MIN_VALUE, Integer.MAX_VALUE).intValue();
        }
        if (type == OffsetDateTime.class) {
            if (!(value instanceof JsonString string)) {
                throw Problem.invalid(field, field + " must be an ISO date-time string.");
            }
            return Inputs.dateTime(field, string.getString());
        }
        if (type == List.class && isListOfStrings(component.getGenericType())) {
            if (!(value instanceof JsonArray array)) {
                throw Problem.invalid(field, field + " must be an array of strings.");
            }
            int most = limits == null ? MAX_LIST : Math.min(limits.max(), MAX_LIST);
            if (array.size() > most) {
                throw Problem.invalid(field, field + " may have at most " + most + " elements.");
            }
            List<String> list = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                list.add(text(field + "[" + i + "]", array.get(i), Inputs.DEFAULT_MAX, false));
            }
            return List.copyOf(list);
        }
        throw new IllegalStateException("StrictJson cannot read " + type + " of " + component);
    }

    private static String text(String field, JsonValue value, int max, boolean multiline) {
        if (!(value instanceof JsonString string)) {
            throw Problem.invalid(field, field + " must be a string.");
        }
        return multiline
                ? Inputs.freeText(field, string.getString(), max)
                : Inputs.text(field, string.getString(), max);
    }

    private static BigInteger integer(String field, JsonValue value, long min, long max) {
        if (!(value instanceof JsonNumber number) || !number.isIntegral()) {
            throw Problem.invalid(field, field + " must be a whole number.");
        }
        // A number with a huge exponent (1e999999999) would cost memory to expand: bound its digits first.
        if (number.bigDecimalValue().precision() - number.bigDecimalValue().scale() > 20) {
            throw Problem.invalid(field, field + " is out of range.");
        }
        BigInteger integer = number.bigIntegerValue();
        if (integer.compareTo(BigInteger.valueOf(min)) < 0 || integer.compareTo(BigInteger.valueOf(max)) > 0) {
            throw Problem.invalid(field, field + " is out of range.");
        }
        return integer;
    }

    private static boolean isListOfStrings(Type type) {
        return type instanceof ParameterizedType parameterized
                && parameterized.getActualTypeArguments().length == 1
                && parameterized.getActualTypeArguments()[0] == String.class;
    }
}
