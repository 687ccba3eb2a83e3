package dev.keyward.web.http;

import static dev.keyward.web.auth.Role.ADMIN;
import static dev.keyward.web.auth.Role.AUDITOR;
import static dev.keyward.web.auth.Role.HOST;
import static dev.keyward.web.http.Routes.API;

import java.util.List;
import java.util.Set;

/** The route-table rows for hosts, their agents, static authorized keys and the key inventory. */
final class HostRoutes {
    private static final String JSON = "application/json";

    private HostRoutes() {
    }

    static void add(List<Route> r, HostHandlers h) {
        r.add(new Route("POST", API + "/hosts", Set.of(ADMIN),
                "Register a host; the one-time join token (24 h) is in this response only", 201,
                HostBodies.CreateHost.class, List.of(), JSON, h::create));
        r.add(new Route("POST", API + "/hosts/{id}/join-token", Set.of(ADMIN),
                "A new one-time join token for a registered host (re-enrollment replaces its credential)", 201, null,
                List.of(), JSON, h::joinToken));
        r.add(new Route("GET", API + "/hosts", Set.of(ADMIN, AUDITOR),
                "List registered hosts, with the expiry and status of each one's credential and what its agent last"
                        + " reported (agent: usage source, versions)", 200, null, List.of("limit", "offset"), JSON,
                h::list));
        r.add(new Route("POST", API + "/hosts/enroll", Set.of(),
                "Trade a join token (in the body) for the host credential and host certificates", 200,
                HostBodies.Enroll.class, List.of(), JSON, h::enroll));
        r.add(new Route("GET", API + "/agent/state", Set.of(HOST),
                "The calling host's desired state (strong ETag; If-None-Match gives 304; ?wait=N long-polls up to 60 s)",
                200, null, List.of("wait"), JSON, h::agentState));
        r.add(new Route("POST", API + "/agent/host-certs", Set.of(HOST),
                "Renew host certificates for the calling host's enrolled keys", 200, HostBodies.HostCerts.class,
                List.of(), JSON, h::renewHostCerts));
        r.add(new Route("POST", API + "/agent/credential/challenge", Set.of(HOST),
                "A single-use challenge (5 min) for the calling host to sign with an enrolled host key (ssh-keygen -Y"
                        + " sign -n host-credential@keyward.dev), and the lifetime of the credential that asked",
                200, null, List.of(), JSON, h::credentialChallenge));
        r.add(new Route("POST", API + "/agent/credential", Set.of(HOST),
                "Renew the host credential: a challenge, the enrolled host key that signed it and the SSH signature"
                        + " (PROTOCOL.sshsig) give a new credential (tokens.max_ttl); the old one stays valid until"
                        + " the new one is first used. Unknown, expired or malformed input 400, a key the host did not"
                        + " enroll, a signature that does not verify or another host's challenge 403, a used"
                        + " challenge 409", 200, HostBodies.RenewCredential.class, List.of(), JSON,
                h::renewCredential));
        r.add(new Route("POST", API + "/agent/usage", Set.of(HOST),
                "Report key usage events (idempotent by event id); acknowledges stored, duplicate and rejected ids", 200,
                HostBodies.Usage.class, List.of(), JSON, h::usage));
        r.add(new Route("POST", API + "/agent/inventory", Set.of(HOST),
                "Report the host's authorized keys (idempotent by hash); lists lines left out under rejected", 200, HostBodies.Inventory.class, List.of(),
                JSON, h::inventory));
        r.add(new Route("POST", API + "/agent/status", Set.of(HOST),
                "Report what the agent runs and installed (usage source, flagged log records, trust and KRL versions);"
                        + " shown on the host in GET /hosts", 200, HostBodies.AgentStatus.class, List.of(), JSON,
                h::agentStatus));
        r.add(new Route("POST", API + "/authorized-keys", Set.of(ADMIN),
                "Authorize a static key for an account on a host or on every host with a label", 201,
                HostBodies.AddKey.class, List.of(), JSON, h::addKey));
        r.add(new Route("DELETE", API + "/authorized-keys/{id}", Set.of(ADMIN),
                "Delete a static key; agents purge it", 200, null, List.of(), JSON, h::deleteKey));
        r.add(new Route("GET", API + "/keys", Set.of(ADMIN, AUDITOR),
                "Key inventory by fingerprint, paged in the database: where each key is, last use per key, flags unused,"
                        + " shared, weak, old; last use per certificate on pages without a cursor",
                200, null, List.of("unused_days", "old_days", "flag", "fingerprint", "account", "host", "limit",
                        "offset", "cursor"), JSON, h::listKeys));
    }
}
