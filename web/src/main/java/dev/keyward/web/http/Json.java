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
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.keyward.web.db.StorableText;
import java.util.Optional;
import dev.keyward.web.config.HttpConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON in and out. Request bodies are read with a hard 64 KiB cap (413 beyond), parsed strictly (unknown fields,
 * trailing content, wrong types, numbers out of range, fractions for whole numbers, duplicate keys and strings
 * PostgreSQL cannot store are 400 with a detail naming the field), snake_case on the wire.
 */
public final class Json {
    private static final Logger LOG = LoggerFactory.getLogger(Json.class);
    /** Reads request bodies: every string must be storable text ({@link StorableText}), else 400 naming the field. */
    public static final ObjectMapper MAPPER = mapper(true);
    /**
     * The same rules without the text check: for agent report elements whose unstorable text is kept (replaced
     * and flagged) rather than refused.
     */
    static final ObjectMapper TEXT_AS_SENT = mapper(false);

    private static ObjectMapper mapper(boolean storableStrings) {
        ObjectMapper m = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .setSerializationInclusion(JsonInclude.Include.NON_ABSENT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // "line": 1.5 is not line 1
                .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);
        // "public_key": 1 is a type error, not the string "1"
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.getFactory().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
        // error messages must not echo request bodies (they may hold token names or keys) into logs
        m.getFactory().disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION.mappedFeature());
        if (storableStrings) {
            m.registerModule(new SimpleModule("storable-strings").addDeserializer(String.class,
                    new StorableStrings()));
        }
        return m;
    }

    /**
     * Strings as Jackson reads them, refused when PostgreSQL could not store them. Not marked as Jackson's own
     * implementation, so lists of strings use it too.
     */
    private static final class StorableStrings extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = super.deserialize(p, ctxt);
            if (s != null) {
                Optional<String> problem = StorableText.problem(s);
                if (problem.isPresent()) {
                    throw new UnstorableText(p, problem.get());
                }
            }
            return s;
        }
    }

    /** A string that {@link StorableText} refuses; the message says why, the path names the field. */
    static final class UnstorableText extends JsonMappingException {
        UnstorableText(JsonParser p, String problem) {
            super(p, problem);
        }
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
        } catch (JsonProcessingException e) {
            throw badRequest(e);
        } catch (java.io.CharConversionException e) {
            // bytes Jackson's encoding detection took for UTF-16 or UTF-32 and could not decode (RFC 8259: UTF-8)
            throw ApiException.badRequest("the request body is not valid JSON in UTF-8");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 400 for a body (or a part of one) that Jackson could not read, naming the field. */
    static ApiException badRequest(JsonProcessingException x) {
        if (x instanceof UnstorableText e) {
            return ApiException.badRequest("field '" + path(e) + "' " + e.getOriginalMessage());
        }
        if (x instanceof UnrecognizedPropertyException e) {
            return ApiException.badRequest("unknown field '" + e.getPropertyName() + "'; accepted fields: "
                    + e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")));
        }
        // a number too large for its field: thrown by the parser, wrapped with the field's path when in a record
        InputCoercionException range = x instanceof InputCoercionException i ? i
                : x.getCause() instanceof InputCoercionException i ? i : null;
        if (range != null) {
            String field = x instanceof JsonMappingException m ? path(m)
                    : range.getProcessor() instanceof JsonParser p ? path(p.getParsingContext()) : "";
            return ApiException.badRequest((field.isEmpty() ? "a number" : "field '" + field + "'")
                    + " is out of range (" + (range.getTargetType() == null ? "too large"
                    : "at most " + bounds(range.getTargetType())) + ")");
        }
        if (x instanceof MismatchedInputException e) {
            String field = path(e);
            return ApiException.badRequest(field.isEmpty() ? "the request body must be a JSON object"
                    : "field '" + field + "' has the wrong type (" + expected(e) + ")");
        }
        return ApiException.badRequest("the request body is not valid JSON: " + x.getOriginalMessage()
                + (x.getLocation() == null ? "" : " (line " + x.getLocation().getLineNr() + ", column "
                + x.getLocation().getColumnNr() + ")"));
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

    /**
     * Reads and discards what the client is still sending of a body nothing read (a refusal before the handler read
     * it: no route, a bad credential, a rate limit), up to {@link #DRAIN_LIMIT}, before the refusal is written. Jetty
     * reads only what has already arrived of an unread body and then closes the connection; a close while the client
     * is still sending reaches the client as a reset that discards the answer (found by HttpRequestFuzzTest under
     * load: bodies posted to a mistyped route got "broken pipe" instead of the 404). Bounded in time by the request's
     * body deadline and http.limits.min_data_rate.
     */
    static void discardUnreadBody(Context ctx) {
        var req = ctx.req();
        long declared = req.getContentLengthLong();
        if (declared == 0 || declared < 0 && req.getHeader("Transfer-Encoding") == null) {
            return; // no body
        }
        try {
            drain(req.getInputStream());
        } catch (IOException | IllegalStateException e) {
            // the body was taken as a reader, or the connection is gone: nothing left to read here
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
            // the client closed the connection before its answer was written (it gave up or went away): there is
            // no one left to answer, and nothing failed on the server, so one line rather than an internal error
            LOG.info("{} {}: answer {} not delivered, the client closed the connection ({})", ctx.method(),
                    ctx.path(), status, e.toString());
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

    /** {@code events[3].source_port} for the parser's position {@code /events/3/source_port}. */
    private static String path(JsonStreamContext where) {
        StringBuilder b = new StringBuilder();
        for (String segment : where.pathAsPointer().toString().split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            b.append(segment.chars().allMatch(Character::isDigit) ? "[" + segment + "]"
                    : (b.isEmpty() ? "" : ".") + segment);
        }
        return b.toString();
    }

    private static String bounds(Class<?> type) {
        return type == Integer.class || type == int.class ? "2147483647 in magnitude"
                : type == Long.class || type == long.class ? "9223372036854775807 in magnitude" : "the type's range";
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
