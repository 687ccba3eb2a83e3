package dev.keyward.web.http;

import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.Durations;
import dev.keyward.web.http.Bodies.TokenRequest;
import dev.keyward.web.http.Views.CreatedTokenView;
import dev.keyward.web.http.Views.Page;
import dev.keyward.web.http.Views.TokenView;
import dev.keyward.web.service.TokenService;
import dev.keyward.web.service.TokenService.CreateToken;
import dev.keyward.web.service.TokenService.CreatedToken;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** API tokens: create (the secret is in the response once), list, revoke. */
final class TokenHandlers {
    private final TokenService tokens;
    private final Clock clock;

    TokenHandlers(TokenService tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
    }

    void create(Context ctx, Caller caller) {
        TokenRequest b = Json.read(ctx, TokenRequest.class);
        CreateToken req = new CreateToken(Bodies.required(b.name(), "name"), Role.parse(Bodies.required(b.role(), "role")),
                Optional.ofNullable(b.username()), b.principals() == null ? List.of() : b.principals(),
                Durations.parse(Bodies.required(b.ttl(), "ttl"), "ttl"));
        CreatedToken t = tokens.create(caller, req);
        ctx.header("Cache-Control", "no-store");
        Json.write(ctx, 201, new CreatedTokenView(t.secret(), t.token().id(), t.token().name(), t.token().role().label(),
                t.token().username(), t.token().principals(), t.token().expiresAt().toString()));
    }

    void list(Context ctx, Caller caller) {
        Paging p = Paging.of(ctx);
        if (p.cursor().isPresent()) {
            throw ApiException.badRequest("tokens are paged with limit and offset");
        }
        Instant now = clock.instant();
        List<TokenView> items = tokens.list(p.limit(), p.offset()).stream().map(t -> TokenView.of(t, now)).toList();
        Json.write(ctx, 200, new Page<>(items, p.limit(), null));
    }

    void revoke(Context ctx, Caller caller) {
        long id = Paging.positiveLong("token id", ctx.pathParam("id"));
        Json.write(ctx, 200, TokenView.of(tokens.revoke(caller, id), clock.instant()));
    }
}
