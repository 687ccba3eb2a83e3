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
            HostHandlers hosts, CaKeyHandlers caKeys, OpenApiHandler openApi) {
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
        r.add(new Route("GET", API + "/ca/keys", Set.of(ADMIN, AUDITOR),
                "Every CA key version (pending, active, retired, destroyed, revoked) with its age, certificates still"
                        + " valid and place in the trust bundle, the trust bundle version, and the rotation's progress"
                        + " per purpose (hosts that trust the newest user key, hosts with host certificates from the"
                        + " active host key, and those lagging)", 200, null, List.of(), JSON, caKeys::list));
        r.add(new Route("POST", API + "/ca/keys", Set.of(ADMIN),
                "Rotate: a new CA key for the purpose, in the same token as the active one, as pending (trusted at"
                        + " once, signing nothing); 409 while another key of the purpose is pending", 201,
                Bodies.RotateCaKey.class, List.of(), JSON, caKeys::rotate));
        r.add(new Route("POST", API + "/ca/keys/{id}/activate", Set.of(ADMIN),
                "Make a pending key sign; the active key retires (trusted until its last certificate expires). 409"
                        + " while enrolled hosts seen in the last day do not trust a user key yet, unless force",
                200, Bodies.CaKeyStep.class, List.of(), JSON, caKeys::activate));
        r.add(new Route("POST", API + "/ca/keys/{id}/destroy", Set.of(ADMIN),
                "Delete the key from its token (C_DestroyObject; a software key file is overwritten and deleted); the"
                        + " public key stays on record. 409 for the active key, and for a retired key while"
                        + " certificates it signed are valid unless force", 200, Bodies.CaKeyStep.class, List.of(),
                JSON, caKeys::destroy));
        r.add(new Route("POST", API + "/ca/keys/{id}/revoke", Set.of(ADMIN),
                "Emergency: the CA key goes into the KRL (sshd refuses every certificate it signed) and out of the"
                        + " trust bundle; if it was active, a pending key (or a new one) signs in the same step", 200,
                Bodies.RevokeCaKey.class, List.of(), JSON, caKeys::revoke));
        r.add(new Route("GET", API + "/reports/compliance", Set.of(ADMIN, AUDITOR),
                "Compliance report: per key-lifecycle stage the evidence and the findings, each citing NIST SP 800-57"
                        + " Part 1, PCI DSS 4.0 3.6/3.7 and SOC 2 CC6.1 (JSON; CSV, a row per finding, with Accept:"
                        + " text/csv)", 200, null, List.of(), JSON, caKeys::compliance));
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
