package dev.keyward.web.http;

import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import io.javalin.http.Context;
import java.util.List;
import java.util.Set;

/**
 * One API route: method, path (Javalin syntax, {@code {serial}}), who may call it, and its handler.
 *
 * @param roles       roles allowed; empty means public (no token needed)
 * @param status      the success status
 * @param body        the request body type, or null
 * @param queryParams query parameters it reads (for the OpenAPI document)
 * @param produces    the success content type
 */
public record Route(String method, String path, Set<Role> roles, String summary, int status, Class<?> body,
        List<String> queryParams, String produces, Endpoint handler) {

    public Route {
        roles = Set.copyOf(roles);
        queryParams = List.copyOf(queryParams);
    }

    public boolean isPublic() {
        return roles.isEmpty();
    }

    /** A handler; {@code caller} is null on public routes. */
    @FunctionalInterface
    public interface Endpoint {
        void handle(Context ctx, Caller caller) throws Exception;
    }
}
