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
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
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

    private static final java.util.Map<Class<?>, Boolean> SUPPORTED = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        // A record with a component type this reader does not know is left to the default JSON binding.
        return type.isRecord()
                && type.getName().startsWith("com.apintake.")
                && SUPPORTED.computeIfAbsent(type, StrictJson::supports);
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
        Input limits = component.getAnnotation(Input.class);
        return convert(component.getName(), component.getGenericType(), value, limits);
    }

    private static Object convert(String field, Type generic, JsonValue value, Input limits) {
        Class<?> type = raw(generic);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) {
            if (type.isPrimitive()) {
                throw Problem.invalid(field, field + " is required.");
            }
            return null;
        }
        int max = limits == null ? Inputs.DEFAULT_MAX : limits.max();
        boolean multiline = limits != null && limits.multiline();
        if (type == String.class) {
            return text(field, value, max, multiline);
        }
        if (type == Boolean.class || type == boolean.class) {
            if (value.getValueType() == JsonValue.ValueType.TRUE) {
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
        if (type == BigDecimal.class || type == Double.class || type == double.class) {
            if (!(value instanceof JsonNumber number)) {
                throw Problem.invalid(field, field + " must be a number.");
            }
            BigDecimal decimal = number.bigDecimalValue();
            // 1e999999999 is a valid JSON number: bound it before anyone expands or compares it.
            if (decimal.precision() > 40 || Math.abs((long) decimal.precision() - decimal.scale()) > 40) {
                throw Problem.invalid(field, field + " is out of range.");
            }
            return type == BigDecimal.class ? decimal : decimal.doubleValue();
        }
        if (type == OffsetDateTime.class) {
            return Inputs.dateTime(field, string(field, value, "an ISO date-time string"));
        }
        if (type == LocalDate.class) {
            String text = string(field, value, "a date like 2026-01-31");
            LocalDate date = Inputs.date(field, text);
            if (date == null) {
                throw Problem.invalid(field, field + " must be a date like 2026-01-31.");
            }
            return date;
        }
        if (type.isEnum()) {
            String text = Inputs.text(field, string(field, value, "a string"), Inputs.DEFAULT_MAX);
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(text.strip())) {
                    return constant;
                }
            }
            throw Problem.invalid(field, field + " must be one of " + Arrays.toString(type.getEnumConstants()) + ".");
        }
        if (type.isRecord()) {
            if (!(value instanceof JsonObject object)) {
                throw Problem.invalid(field, field + " must be a JSON object.");
            }
            return bind(type.asSubclass(Record.class), object);
        }
        if (JsonValue.class.isAssignableFrom(type)) {
            if (!type.isInstance(value)) {
                throw Problem.invalid(field, field + " has the wrong JSON type.");
            }
            return value;
        }
        if (type == List.class || type == Set.class) {
            if (!(value instanceof JsonArray array)) {
                throw Problem.invalid(field, field + " must be an array.");
            }
            int most = limits == null ? MAX_LIST : Math.min(limits.max(), MAX_LIST);
            if (array.size() > most) {
                throw Problem.invalid(field, field + " may have at most " + most + " elements.");
            }
            Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < array.size(); i++) {
                JsonValue item = array.get(i);
                if (item.getValueType() == JsonValue.ValueType.NULL) {
                    throw Problem.invalid(field + "[" + i + "]", field + "[" + i + "] must not be null.");
                }
                list.add(convert(field + "[" + i + "]", element, item, null));
            }
            return type == Set.class ? Set.copyOf(list) : List.copyOf(list);
        }
        throw new IllegalStateException("StrictJson cannot read " + generic + " of " + field);
    }

    /** Whether every component of a record (nested ones included) is a type {@link #convert} reads. */
    static boolean supports(Type generic) {
        Class<?> type = raw(generic);
        if (type == null) {
            return false;
        }
        if (type.isPrimitive()
                || type == String.class
                || type == Boolean.class
                || type == Long.class
                || type == Integer.class
                || type == Double.class
                || type == BigDecimal.class
                || type == OffsetDateTime.class
                || type == LocalDate.class
                || type.isEnum()
                || JsonValue.class.isAssignableFrom(type)) {
            return type != char.class && type != byte.class && type != short.class && type != float.class;
        }
        if (type == List.class || type == Set.class) {
            return generic instanceof ParameterizedType parameterized
                    && supports(parameterized.getActualTypeArguments()[0]);
        }
        if (type.isRecord()) {
            return Arrays.stream(type.getRecordComponents()).allMatch(c -> supports(c.getGenericType()));
        }
        return false;
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> plain) {
            return plain;
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> plain) {
            return plain;
        }
        return null;
    }

    private static String string(String field, JsonValue value, String what) {
        if (!(value instanceof JsonString string)) {
            throw Problem.invalid(field, field + " must be " + what + ".");
        }
        return string.getString();
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
}
