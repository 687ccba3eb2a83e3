package dev.keyward.web.console;

import dev.keyward.web.auth.Role;
import io.javalin.http.Context;
import java.util.Set;

/**
 * One console route. {@code roles} come from the API route the page or action mirrors ({@code mirrors}, e.g.
 * {@code POST /api/v1/certs/{serial}/revoke}), so the console has no permission table of its own; empty roles mean
 * the route needs no session (sign-in pages, static files).
 */
record ConsoleRoute(String method, String path, String mirrors, Set<Role> roles, Page handler) {

    ConsoleRoute {
        roles = Set.copyOf(roles);
    }

    boolean isPublic() {
        return roles.isEmpty();
    }

    /** A handler; {@code visit} is null on public routes. */
    @FunctionalInterface
    interface Page {
        void handle(Context ctx, Visit visit) throws Exception;
    }
}
