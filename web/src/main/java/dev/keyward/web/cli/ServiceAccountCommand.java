package dev.keyward.web.cli;

import dev.keyward.web.db.embedded.ServiceAccount;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code service-account --home DIR} (root only; the launchers run it): creates the {@code keyward} system account
 * when missing, hands DIR to it and prints its "UID GID", with which the launcher then runs {@code serve} as that
 * account. Not in the help: operators run {@code serve}.
 */
@Command(name = "service-account", hidden = true, mixinStandardHelpOptions = true,
        description = "Prepare the keyward system account and KEYWARD_HOME for a server started as root;"
                + " prints UID GID.")
final class ServiceAccountCommand implements Callable<Integer> {
    @Option(names = "--home", required = true, paramLabel = "DIR", description = "KEYWARD_HOME")
    Path home;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ServiceAccount.Ids ids = ServiceAccount.prepareHome(home);
        spec.commandLine().getOut().println(ids.uid() + " " + ids.gid());
        return 0;
    }
}
