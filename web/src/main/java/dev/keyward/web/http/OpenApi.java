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
                "description", "SSH certificate authority API. Errors are application/problem+json (RFC 9457). Every response"
                        + " carries X-Request-Id, the ID the server's log gives the request (request_id in the JSON"
                        + " log)."));
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Route r : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), k -> new LinkedHashMap<>());
            item.put(r.method().toLowerCase(java.util.Locale.ROOT), operation(r));
        }
        doc.put("paths", paths);
        doc.put("components", Map.of(
                "securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer",
                        "description", "An API token (kwt_...) created with POST /api/v1/tokens or 'keyward-server"
                                + " token create', or, with oidc configured, a JWT of the issuer (see GET"
                                + " /api/v1/login/config)")),
                "schemas", Map.of("Problem", Map.of("type", "object", "properties", Map.of(
                        "type", Map.of("type", "string"), "title", Map.of("type", "string"),
                        "status", Map.of("type", "integer"), "detail", Map.of("type", "string"),
                        "rule", Map.of("type", "string"),
                        "checks", Map.of("type", "object",
                                "additionalProperties", Map.of("enum", List.of("up", "down")),
                                "description", "GET /readyz only: database, user_ca_signer, host_ca_signer,"
                                        + " audit_signer, each up or down (as in the 200 response)"),
                        "reasons", Map.of("type", "object", "additionalProperties", Map.of("type", "string"),
                                "description", "GET /readyz only: why each component that is down is down; a"
                                        + " signer that lost its token says it is reconnecting, and since when"))),
                        "AuditVerify", AUDIT_VERIFY, "AuditKey", AUDIT_KEY, "LoginConfig", LOGIN_CONFIG)));
        return doc;
    }

    /** Routes whose success body has a schema of its own in {@code components}. */
    private static final Map<String, String> RESPONSE_SCHEMAS = Map.of(Routes.API + "/audit/verify", "AuditVerify",
            Routes.API + "/audit/key", "AuditKey", Routes.API + "/login/config", "LoginConfig");

    private static final Map<String, Object> STRING = Map.of("type", "string");
    private static final Map<String, Object> INTEGER = Map.of("type", "integer");
    private static final Map<String, Object> STRINGS = Map.of("type", "array", "items", STRING);

    /** {@code GET /audit/verify}: the chain walk, then every checkpoint against the chain. */
    private static final Map<String, Object> AUDIT_VERIFY = Map.of("type", "object", "properties", Map.ofEntries(
            Map.entry("ok", Map.of("type", "boolean", "description", "true when problems is empty")),
            Map.entry("entries", INTEGER), Map.entry("head_seq", INTEGER), Map.entry("head_hash", STRING),
            Map.entry("first_bad_seq", Map.of("type", "integer", "description", "the first problem's entry")),
            Map.entry("problem", Map.of("type", "string", "description", "the first problem's message")),
            Map.entry("problems", Map.of("type", "array", "items", Map.of("type", "object", "properties", Map.of(
                    "kind", Map.of("type", "string", "enum", List.of("chain", "truncated", "rewritten",
                            "bad_signature", "checkpoint_deleted", "audit_key"), "description", "chain: an entry"
                            + " modified, deleted or reordered; truncated: the chain ends before an entry a"
                            + " checkpoint covers; rewritten: an entry's hash is not the one a checkpoint recorded;"
                            + " bad_signature: a checkpoint the audit key did not sign; checkpoint_deleted: a signed"
                            + " checkpoint in the sink file that the database lacks; audit_key: the database records"
                            + " another audit key than the token holds"),
                    "seq", INTEGER, "message", STRING)))),
            Map.entry("checkpoints", Map.of("type", "object", "properties", Map.of(
                    "audit_key", STRINGS, "sources", STRINGS, "verified", INTEGER,
                    "superseded", Map.of("type", "integer", "description", "valid checkpoints replaced by a restore"),
                    "newest_seq", INTEGER, "newest_time", STRING))),
            Map.entry("notes", STRINGS)));

    /** {@code GET /audit/key}: the audit key's public half. */
    private static final Map<String, Object> AUDIT_KEY = Map.of("type", "object", "properties", Map.of(
            "public_key", Map.of("type", "string", "description", "OpenSSH public key line"),
            "fingerprint", STRING, "algorithm", STRING,
            "namespace", Map.of("type", "string", "description", "the SSHSIG namespace of checkpoint signatures"),
            "allowed_signers", Map.of("type", "string", "description", "a line for ssh-keygen -Y verify -f FILE"
                    + " -I keyward-audit -n audit-checkpoint@keyward.dev")));

    /** {@code GET /login/config}: the sign-in at the OpenID Connect issuer ({@code oidc.login}), when offered. */
    private static final Map<String, Object> LOGIN_CONFIG = Map.of("type", "object", "properties", Map.of(
            "oidc", Map.of("type", "object", "description", "absent when the server offers no sign-in (no"
                    + " oidc.login); API tokens work either way", "required", List.of("issuer", "client_id", "scopes",
                    "flows", "bearer_token"), "properties", Map.of(
                    "issuer", Map.of("type", "string", "description", "the issuer URL; its"
                            + " /.well-known/openid-configuration has the endpoints"),
                    "client_id", Map.of("type", "string", "description", "the public client Keyward is registered as"),
                    "client_secret", Map.of("type", "string", "description", "only for issuers that demand the"
                            + " non-confidential secret they give installed applications (Google)"),
                    "scopes", STRINGS,
                    "flows", Map.of("type", "array", "items", Map.of("enum", List.of("browser", "device")),
                            "description", "browser: authorization code with PKCE S256 on a loopback redirect"
                                    + " (RFC 8252); device: device authorization grant (RFC 8628)"),
                    "bearer_token", Map.of("enum", List.of("access_token", "id_token"), "description", "the"
                            + " issuer's token to send to Keyward as the bearer credential")))));

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
        String schema = RESPONSE_SCHEMAS.get(r.path());
        responses.put(Integer.toString(r.status()), Map.of("description", "success",
                "content", Map.of(r.produces(), schema == null ? Map.of()
                        : Map.of("schema", Map.of("$ref", "#/components/schemas/" + schema)))));
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
                    : c.getType() == Boolean.class || c.getType() == boolean.class ? Map.of("type", "boolean")
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
