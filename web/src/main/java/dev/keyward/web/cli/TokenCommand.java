package dev.keyward.web.cli;

import dev.keyward.web.auth.Caller;
import dev.keyward.web.auth.Role;
import dev.keyward.web.config.Durations;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.service.TokenService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code token create}: creates an API token directly in the database and prints it once. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage API tokens.",
        subcommands = TokenCommand.Create.class)
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an API token and print it (once; it is stored only as a hash).")
    static final class Create implements Callable<Integer> {
        @Mixin
        KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

        @Option(names = "--name", required = true, description = "A name for the token (who or what holds it)")
        String name;

        @Option(names = "--role", required = true, description = "admin, engineer, auditor or host")
        String role;

        @Option(names = "--username", description = "The identity it acts as (required for engineer; default: the name)")
        String username;

        @Option(names = "--principal", paramLabel = "NAME", description = "For host tokens: a registered host name"
                + " (repeat for several)")
        List<String> principals = new ArrayList<>();

        @Option(names = "--ttl", defaultValue = "30d", description = "Lifetime, e.g. 8h, 30d (default: ${DEFAULT-VALUE})")
        String ttl;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            ServerConfig cfg = config.load();
            try (Database db = Database.open(cfg.database(), cfg.home())) {
                db.migrate();
                TokenService tokens = new TokenService(db, Clock.systemUTC(), cfg.tokens().maxTtl());
                TokenService.CreatedToken t = tokens.create(Caller.cli(System.getProperty("user.name", "unknown")),
                        new TokenService.CreateToken(name, Role.parse(role), Optional.ofNullable(username), principals,
                                Durations.parse(ttl, "--ttl")));
                spec.commandLine().getOut().println(t.secret());
                spec.commandLine().getErr().println("token " + t.token().id() + " (" + t.token().role().label() + ", "
                        + t.token().username() + ") expires " + t.token().expiresAt() + "; it is shown only this once");
            }
            return 0;
        }
    }
}
