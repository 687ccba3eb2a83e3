package dev.keyward.web.http;

import dev.keyward.web.auth.Role;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders the route table as an OpenAPI 3.1 document. */
final class OpenApi {
    private static final Pattern PATH_PARAM = Pattern.compile("\\{([a-z_]+)}");

    private OpenApi() {
    }

    static Map<String, Object> document(List<Route> routes, String version) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.1.0");
        doc.put("info", Map.of("title", "Keyward CA server", "version", version,
                "description", "SSH certificate authority API. Errors are application/problem+json (RFC 9457)."));
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Route r : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), k -> new LinkedHashMap<>());
            item.put(r.method().toLowerCase(java.util.Locale.ROOT), operation(r));
        }
        doc.put("paths", paths);
        doc.put("components", Map.of(
                "securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer",
                        "description", "An API token (kwt_...) created with POST /api/v1/tokens or 'keyward-server token create'")),
                "schemas", Map.of("Problem", Map.of("type", "object", "properties", Map.of(
                        "type", Map.of("type", "string"), "title", Map.of("type", "string"),
                        "status", Map.of("type", "integer"), "detail", Map.of("type", "string"),
                        "rule", Map.of("type", "string"))))));
        return doc;
    }

    private static Map<String, Object> operation(Route r) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("summary", r.summary());
        String roles = r.roles().stream().map(Role::label).sorted().reduce((a, b) -> a + ", " + b).orElse("");
        op.put("description", r.isPublic() ? "No authentication." : "Roles: " + roles + ".");
        op.put("security", r.isPublic() ? List.of() : List.of(Map.of("bearer", List.of())));
        List<Map<String, Object>> params = new ArrayList<>();
        Matcher m = PATH_PARAM.matcher(r.path());
        while (m.find()) {
            params.add(Map.of("name", m.group(1), "in", "path", "required", true, "schema", Map.of("type", "string")));
        }
        for (String q : r.queryParams()) {
            params.add(Map.of("name", q, "in", "query", "required", false, "schema", Map.of("type", "string")));
        }
        if (!params.isEmpty()) {
            op.put("parameters", params);
        }
        if (r.body() != null) {
            op.put("requestBody", Map.of("required", true, "content", Map.of("application/json",
                    Map.of("schema", schemaOf(r.body())))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        responses.put(Integer.toString(r.status()), Map.of("description", "success",
                "content", Map.of(r.produces(), Map.of())));
        Map<String, Object> problem = Map.of("application/problem+json",
                Map.of("schema", Map.of("$ref", "#/components/schemas/Problem")));
        if (r.body() != null || !r.queryParams().isEmpty() || r.path().contains("{")) {
            responses.put("400", Map.of("description", "invalid input", "content", problem));
        }
        if (!r.isPublic()) {
            responses.put("401", Map.of("description", r.roles().contains(Role.HOST)
                    ? "missing, unknown, expired or revoked token. A host credential is renewed before it expires"
                            + " (POST /api/v1/agent/credential/challenge, then POST /api/v1/agent/credential with the"
                            + " challenge signed by an enrolled host key); an expired one cannot be: re-enroll the"
                            + " host with a new join token (POST /api/v1/hosts/{id}/join-token)"
                    : "missing, unknown, expired or revoked token", "content", problem));
            responses.put("403", Map.of("description", "role not allowed, or refused by policy", "content", problem));
        }
        if (r.body() != null) {
            responses.put("408", Map.of("description", "body not received within http.limits.body_timeout or slower"
                    + " than http.limits.min_data_rate", "content", problem));
            responses.put("413", Map.of("description", "body larger than 64 KiB", "content", problem));
        }
        if (!r.isPublic() || r.path().equals(RateLimits.ENROLL)) {
            responses.put("429", Map.of("description", RateLimits.ISSUING.contains(r.path())
                    ? "issuance rate limit per caller or per client address, or too many refused credentials from"
                            + " the client address (http.limits)"
                    : r.isPublic() ? "enrollment rate limit per client address (http.limits.enroll_per_source)"
                    : "too many refused credentials from the client address (http.limits.auth_failures_per_source)",
                    "headers", Map.of("Retry-After", Map.of("description", "seconds to wait",
                            "schema", Map.of("type", "integer", "minimum", 1))),
                    "content", problem));
        }
        responses.put("503", Map.of("description", "database or signer unavailable", "content", problem));
        op.put("responses", responses);
        return op;
    }

    private static Map<String, Object> schemaOf(Class<?> body) {
        Map<String, Object> props = new LinkedHashMap<>();
        for (RecordComponent c : body.getRecordComponents()) {
            Object schema = List.class.isAssignableFrom(c.getType())
                    && c.getGenericType() instanceof ParameterizedType
                    ? Map.of("type", "array", "items", Map.of("type", "string"))
                    : INTEGERS.contains(c.getType()) ? Map.of("type", "integer")
                    : Map.of("type", "string");
            props.put(snake(c.getName()), schema);
        }
        // bodies are read strictly (unknown fields are 400), but for those that say they ignore unknown fields
        var ignore = body.getAnnotation(com.fasterxml.jackson.annotation.JsonIgnoreProperties.class);
        return Map.of("type", "object", "additionalProperties", ignore != null && ignore.ignoreUnknown(),
                "properties", props);
    }

    private static final java.util.Set<Class<?>> INTEGERS = java.util.Set.of(int.class, long.class, Integer.class,
            Long.class, java.math.BigInteger.class);

    static String snake(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
