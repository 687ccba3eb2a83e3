package dev.keyward.web.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.keyward.web.config.HttpConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;

/**
 * JSON in and out. Request bodies are read with a hard 64 KiB cap (413 beyond), parsed strictly (unknown fields,
 * trailing content, wrong types and duplicate keys are 400 with a detail naming the field), snake_case on the wire.
 */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.NON_ABSENT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);

    static {
        // "public_key": 1 is a type error, not the string "1"
        MAPPER.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        MAPPER.getFactory().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        // error messages must not echo request bodies (they may hold token names or keys) into logs
        MAPPER.getFactory().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION.mappedFeature());
    }

    private Json() {
    }

    /** Reads the body as {@code type}; a body is required. */
    public static <T> T read(Context ctx, Class<T> type) {
        return read(ctx, type, HttpConfig.MAX_BODY_BYTES);
    }

    /** Reads the body as {@code type} with a larger cap (agent reports: usage batches and inventories). */
    public static <T> T read(Context ctx, Class<T> type, int maxBytes) {
        byte[] body = body(ctx, maxBytes);
        if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw ApiException.badRequest("the request needs a JSON body");
        }
        try {
            T value = MAPPER.readValue(body, type);
            if (value == null) {
                throw ApiException.badRequest("the request body must be a JSON object, not null");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.badRequest("unknown field '" + e.getPropertyName() + "'; accepted fields: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw ApiException.badRequest(field.isEmpty() ? "the request body must be a JSON object"
                    : "field '" + field + "' has the wrong type (" + expected(e) + ")");
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the request body is not valid JSON: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The raw body, at most {@link HttpConfig#MAX_BODY_BYTES}; 413 beyond, whatever Content-Length claims. */
    static byte[] body(Context ctx) {
        return body(ctx, HttpConfig.MAX_BODY_BYTES);
    }

    static byte[] body(Context ctx, int max) {
        long declared = ctx.req().getContentLengthLong();
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared > max) {
                drain(in);
                throw tooLarge(max);
            }
            if (declared >= 0) {
                // the usual case: read exactly the declared length into one array (readNBytes(max + 1) would
                // allocate and copy 8 KiB chunks); the servlet layer refuses a body longer than it declared
                byte[] b = in.readNBytes((int) declared);
                if (in.read() != -1) {
                    throw tooLarge(max);
                }
                return b;
            }
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                drain(in);
                throw tooLarge(max);
            }
            return b;
        } catch (IOException e) {
            if (timedOut(e)) {
                // http.limits.body_timeout or min_data_rate: the connection is closed after this answer
                throw new ApiException(408, "Request Timeout", "the request body did not arrive in time (see"
                        + " http.limits.body_timeout and http.limits.min_data_rate)");
            }
            throw ApiException.badRequest("could not read the request body: " + e.getMessage());
        }
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.util.concurrent.TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Most a 413 reads and discards so that the client, still sending, can read the answer. */
    static final long DRAIN_LIMIT = 1024 * 1024;

    /**
     * Reads and discards what is left of an oversized body, up to {@link #DRAIN_LIMIT}: a server that answers
     * 413 while the client is still sending and then closes makes the client see a reset instead of the 413.
     * Beyond the limit the connection is closed anyway (the body is not worth reading).
     */
    private static void drain(InputStream in) {
        try {
            long left = DRAIN_LIMIT;
            byte[] buf = new byte[8192];
            int n;
            while (left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                left -= n;
            }
        } catch (IOException ignored) {
            // the client gave up; the 413 is still the answer
        }
    }

    static ApiException tooLarge() {
        return tooLarge(HttpConfig.MAX_BODY_BYTES);
    }

    static ApiException tooLarge(int max) {
        return new ApiException(413, "Content Too Large", "the request body is larger than " + max / 1024 + " KiB");
    }

    /**
     * Writes {@code value} as JSON with {@code status} straight to the servlet response, with its Content-Length
     * (for the hot success paths: Javalin's {@code result()} copies the body through a fresh 8 KiB+ buffer per
     * response).
     */
    public static void send(Context ctx, int status, Object value) {
        byte[] b;
        try {
            b = MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render response: " + e.getOriginalMessage(), e);
        }
        ctx.status(status).contentType("application/json");
        ctx.res().setContentLength(b.length);
        try {
            ctx.res().getOutputStream().write(b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code value} as JSON with {@code status}. */
    public static void write(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render response: " + e.getOriginalMessage(), e);
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String expected(MismatchedInputException e) {
        Class<?> t = e.getTargetType();
        if (t == null) {
            return "unexpected value";
        }
        if (t == String.class) {
            return "expected a string";
        }
        if (java.util.List.class.isAssignableFrom(t) || t.isArray()) {
            return "expected a list";
        }
        if (Number.class.isAssignableFrom(t) || t.isPrimitive()) {
            return "expected a number";
        }
        return "unexpected value";
    }
}
