package dev.keyward.cli;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.cli.cert.CertFiles;
import dev.keyward.cli.config.CliEnv;
import dev.keyward.cli.oidc.SsoSignIn;
import dev.keyward.cli.ssh.SshAgent;
import dev.keyward.cli.ssh.UserKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/**
 * {@code keyward logout}: forgets the saved SSO sign-ins (revoking their refresh tokens where the provider allows),
 * removes the certificate from ssh-agent ({@code ssh-add -d KEY-cert.pub}; the plain key stays, with the lifetime
 * login gave it, unless it is Keyward's in-memory key, which goes too) and deletes {@code KEY-cert.pub}. Running it
 * twice is fine.
 */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Forget your SSO sign-in, remove your certificate from ssh-agent and delete KEY-cert.pub.")
final class LogoutCommand implements Callable<Integer> {
    @ParentCommand
    KeywardCli root;

    @Mixin
    KeyOptions keyOptions;

    @Override
    public Integer call() throws IOException {
        CliEnv env = root.env;
        PrintWriter out = root.spec.commandLine().getOut();
        SsoSignIn.forgetAll(env, out); // first: it must happen even where no key or certificate is left
        Path key = StatusCommand.resolveKey(keyOptions, env);
        Path file = CertFiles.certPath(key);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            out.println("No certificate at " + file + "; nothing to do");
            return 0;
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new InvalidInputException(file + " is not a regular file; not touching it");
        }
        Optional<SshAgent> agent = SshAgent.of(env);
        if (agent.isPresent()) {
            // before deleting the file: ssh-add -d reads the certificate from it
            SshAgent.Outcome r = agent.get().removeCertificate(file);
            out.println(r.ok() ? "Removed the certificate from ssh-agent"
                    : "ssh-agent did not hold the certificate");
            if (UserKeys.inMemory(key, env.home()) && agent.get().remove(UserKeys.publicKey(key).blob())) {
                out.println("Removed the in-memory key from ssh-agent");
            }
        }
        Files.delete(file);
        out.println("Deleted " + file);
        return 0;
    }
}
