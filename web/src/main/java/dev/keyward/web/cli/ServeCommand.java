package dev.keyward.web.cli;

import dev.keyward.web.KeywardServer;
import dev.keyward.web.config.ServerConfig;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code serve}: runs the server until SIGTERM/SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the CA server. With no configuration: embedded PostgreSQL and CA keys under"
                + " $KEYWARD_HOME (default ./.keyward), listening on 127.0.0.1:$KEYWARD_HTTP_PORT (default 8080).")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    KeywardServerCli.ConfigOption config = new KeywardServerCli.ConfigOption();

    @Option(names = "--insecure-http", description = "Allow plain HTTP on a non-loopback address (TLS terminated"
            + " in front of Keyward)")
    boolean insecureHttp;

    @Override
    public Integer call() throws InterruptedException {
        ServerConfig cfg = config.load();
        cfg = cfg.withHttp(cfg.http().withInsecureHttp(insecureHttp));
        KeywardServer server = KeywardServer.start(cfg, KeywardServer.Options.defaults());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } finally {
                stopped.countDown();
            }
        }, "keyward-shutdown"));
        stopped.await();
        return 0;
    }
}
