package dev.keyward.web.console;

import dev.keyward.web.auth.Role;
import dev.keyward.web.http.SignInLimits;
import dev.keyward.web.service.Services;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The console's route table. Each page or action names the API route it mirrors and takes that route's roles, so
 * an auditor who may read {@code GET /api/v1/certs} may see the certificates page, and only those who may call
 * {@code POST /api/v1/certs/{serial}/revoke} may revoke from the console.
 */
final class ConsoleRoutes {
    private static final String API = "/api/v1";

    private ConsoleRoutes() {
    }

    static List<ConsoleRoute> build(Map<String, Set<Role>> apiRoles, Services s, Pages pages, SessionCookie cookie,
            SignInLimits limits) {
        List<ConsoleRoute> r = new ArrayList<>();
        Table t = new Table(r, apiRoles);
        StaticFiles files = new StaticFiles();
        t.open("GET", "/static/console.css", files::css);
        t.open("GET", "/static/console.js", files::js);

        SignInPages signIn = new SignInPages(s.authenticators(), s.console(), limits, s.metrics(), pages, cookie);
        t.open("GET", "/login", signIn::form);
        t.open("POST", "/login", signIn::signIn);
        t.open("GET", "/login/oidc", signIn::oidcStart);
        t.open("GET", "/login/oidc/callback", signIn::oidcCallback);
        // signing out needs a session (and its CSRF token) of any console role
        r.add(new ConsoleRoute("POST", "/logout", "", Set.of(Role.ADMIN, Role.AUDITOR), signIn::signOut));

        CertPages certs = new CertPages(s.certificates(), s.revocations(), s.krl(), s.clock(), pages);
        t.page("GET", "/", "GET " + API + "/certs", new OverviewPage(s.console().overview(), pages)::show);
        t.page("GET", "/certificates", "GET " + API + "/certs", certs::list);
        t.page("GET", "/certificates/{serial}", "GET " + API + "/certs/{serial}", certs::detail);
        t.page("POST", "/certificates/{serial}/revoke", "POST " + API + "/certs/{serial}/revoke", certs::revoke);

        HostPages hosts = new HostPages(s.hosts().hosts(), s.console().overview(), pages);
        t.page("GET", "/hosts", "GET " + API + "/hosts", hosts::list);
        t.page("POST", "/hosts", "POST " + API + "/hosts", hosts::register);
        t.page("POST", "/hosts/{id}/join-token", "POST " + API + "/hosts/{id}/join-token", hosts::joinToken);

        KeyPages keys = new KeyPages(s.hosts().inventory(), s.hosts().authorizedKeys(), s.revocations(), pages);
        t.page("GET", "/keys", "GET " + API + "/keys", keys::list);
        t.page("POST", "/keys/static", "POST " + API + "/authorized-keys", keys::addStatic);
        t.page("POST", "/keys/static/{id}/delete", "DELETE " + API + "/authorized-keys/{id}", keys::deleteStatic);
        t.page("POST", "/keys/revoke", "POST " + API + "/revocations", keys::revoke);

        AuditPages audit = new AuditPages(s.audit(), pages);
        t.page("GET", "/audit", "GET " + API + "/audit", audit::list);
        t.page("GET", "/audit/verify", "GET " + API + "/audit/verify", audit::verify);

        t.page("GET", "/ca-keys", "GET " + API + "/ca/keys", new CaKeyPages(s.caStatus(), pages)::show);
        return List.copyOf(r);
    }

    /** Adds rows, looking up the mirrored API route's roles (a typo in the table fails the server's start). */
    private record Table(List<ConsoleRoute> rows, Map<String, Set<Role>> apiRoles) {
        void page(String method, String path, String mirrors, ConsoleRoute.Page handler) {
            Set<Role> roles = apiRoles.get(mirrors);
            if (roles == null || roles.isEmpty()) {
                throw new IllegalStateException("console route " + method + " " + path + " mirrors " + mirrors
                        + ", which is not an authenticated API route");
            }
            rows.add(new ConsoleRoute(method, path, mirrors, roles, handler));
        }

        void open(String method, String path, ConsoleRoute.Page handler) {
            rows.add(new ConsoleRoute(method, path, "", Set.of(), handler));
        }
    }
}
