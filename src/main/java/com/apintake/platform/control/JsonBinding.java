package com.apintake.platform.control;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.lang.reflect.Type;

/**
 * The application's one JSON-B instance, for JSON it writes itself (rendered once and kept, or stored
 * in a jsonb column) rather than through the JAX-RS provider. Default configuration, as Jersey's
 * provider uses it, so that such text reads the same as an answer's. A Jsonb is thread-safe and costly
 * to create (it builds its class models lazily and keeps them): one, made on first use.
 */
public final class JsonBinding {

    private JsonBinding() {}

    private static final class Holder {
        static final Jsonb JSONB = JsonbBuilder.create();
    }

    public static String toJson(Object value) {
        return Holder.JSONB.toJson(value);
    }

    public static <T> T fromJson(String json, Type type) {
        return Holder.JSONB.fromJson(json, type);
    }
}
