package dev.keyward.web.http;

import static dev.keyward.web.auth.Role.ADMIN;
import static dev.keyward.web.auth.Role.AUDITOR;
import static dev.keyward.web.auth.Role.ENGINEER;
import static dev.keyward.web.auth.Role.HOST;

import dev.keyward.web.auth.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The route table: every route, who may call it and what serves it. The server registers exactly these, and
 * {@code /openapi.json} is rendered from them.
 */
final class Routes {
    static final String API = "/api/v1";
    private static final String JSON = "application/json";
    private static final Set<Role> PUBLIC = Set.of();

    private Routes() {
    }

    static List<Route> build(CertHandlers certs, TokenHandlers tokens, AuditHandlers audit, PublicHandlers pub,
            HostHandlers hosts, OpenApiHandler openApi) {
        List<Route> r = new ArrayList<>();
        r.add(new Route("POST", API + "/certs/user", Set.of(ENGINEER, ADMIN),
                "Issue a user certificate for the caller (principals and TTL within policy)", 201,
                Bodies.UserCertRequest.class, List.of(), JSON, certs::issueUser));
        r.add(new Route("POST", API + "/certs/host", Set.of(HOST),
                "Issue a host certificate for the calling host's registered names", 201,
                Bodies.HostCertRequest.class, List.of(), JSON, certs::issueHost));
        r.add(new Route("GET", API + "/certs", Set.of(ADMIN, AUDITOR),
                "List certificates, newest first", 200, null,
                List.of("status", "principal", "requester", "limit", "offset", "cursor"), JSON, certs::list));
        r.add(new Route("GET", API + "/certs/{serial}", Set.of(ADMIN, AUDITOR),
                "One certificate by serial", 200, null, List.of(), JSON, certs::get));
        r.add(new Route("POST", API + "/certs/{serial}/revoke", Set.of(ADMIN),
                "Revoke a certificate by serial", 200, Bodies.RevokeCertRequest.class, List.of(), JSON, certs::revoke));
        r.add(new Route("POST", API + "/revocations", Set.of(ADMIN),
                "Revoke a public key everywhere, or every certificate with a key ID", 201,
                Bodies.RevocationRequest.class, List.of(), JSON, certs::revokeKey));
        r.add(new Route("GET", API + "/krl", PUBLIC,
                "The current KRL for both CAs (ETag = KRL version; If-None-Match gives 304)", 200, null, List.of(),
                "application/octet-stream", pub::krl));
        r.add(new Route("GET", API + "/ca/user", PUBLIC, "TrustedUserCAKeys file content", 200, null, List.of(),
                "text/plain", pub::userCa));
        r.add(new Route("GET", API + "/ca/host", PUBLIC, "known_hosts lines: @cert-authority * <key>", 200, null,
                List.of(), "text/plain", pub::hostCa));
        r.add(new Route("GET", API + "/login/config", PUBLIC,
                "How keyward login signs in at the OpenID Connect issuer (oidc.login): issuer, public client ID,"
                        + " scopes, flows, which token to send; {} when the server offers no sign-in", 200, null,
                List.of(), JSON, pub::loginConfig));
        r.add(new Route("POST", API + "/tokens", Set.of(ADMIN),
                "Create an API token; the token is in this response only", 201, Bodies.TokenRequest.class, List.of(),
                JSON, tokens::create));
        r.add(new Route("GET", API + "/tokens", Set.of(ADMIN), "List API tokens (never their secrets)", 200, null,
                List.of("limit", "offset"), JSON, tokens::list));
        r.add(new Route("DELETE", API + "/tokens/{id}", Set.of(ADMIN), "Revoke an API token", 200, null, List.of(),
                JSON, tokens::revoke));
        r.add(new Route("GET", API + "/audit", Set.of(ADMIN, AUDITOR), "Audit entries, newest first", 200, null,
                List.of("action", "actor", "subject", "limit", "offset", "cursor"), JSON, audit::list));
        r.add(new Route("GET", API + "/audit/verify", Set.of(ADMIN, AUDITOR),
                "Verify the audit hash chain and check it against every signed checkpoint (stored and in the sink"
                        + " file): names what is wrong (an entry modified, deleted or reordered; the chain truncated"
                        + " after a checkpoint or rewritten; a checkpoint whose signature does not verify)", 200, null,
                List.of(), JSON, audit::verify));
        r.add(new Route("GET", API + "/audit/key", PUBLIC,
                "The audit key's public half, which signs the audit checkpoints (with an allowed_signers line for"
                        + " ssh-keygen -Y verify -n audit-checkpoint@keyward.dev)", 200, null, List.of(), JSON,
                audit::key));
        HostRoutes.add(r, hosts);
        for (String base : List.of("", API)) {
            r.add(new Route("GET", base + "/healthz", PUBLIC, "Liveness", 200, null, List.of(), JSON, pub::healthz));
            r.add(new Route("GET", base + "/readyz", PUBLIC,
                    "Readiness: database and CA signers; 503 names what is down and why", 200, null, List.of(), JSON,
                    pub::readyz));
            r.add(new Route("GET", base + "/metrics", PUBLIC, "Prometheus metrics", 200, null, List.of(),
                    "text/plain", pub::metrics));
            r.add(new Route("GET", base + "/openapi.json", PUBLIC, "This OpenAPI document", 200, null, List.of(), JSON,
                    openApi::serve));
        }
        return List.copyOf(r);
    }

    /** Serves the document built from the final table (set once the table exists). */
    static final class OpenApiHandler {
        private volatile byte[] document;

        void set(List<Route> routes, String version) {
            try {
                document = Json.MAPPER.writerWithDefaultPrettyPrinter()
                        .writeValueAsBytes(OpenApi.document(routes, version));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }

        void serve(io.javalin.http.Context ctx, dev.keyward.web.auth.Caller caller) {
            ctx.status(200).contentType("application/json").result(document);
        }
    }
}
