package dev.keyward.web;

import dev.keyward.ca.InvalidInputException;
import dev.keyward.ca.io.AtomicFiles;
import dev.keyward.ca.policy.IssuancePolicy;
import dev.keyward.ca.sign.SecretSource;
import dev.keyward.web.auth.ApiTokenAuthenticator;
import dev.keyward.web.auth.Authenticators;
import dev.keyward.web.auth.BearerAuthenticator;
import dev.keyward.web.auth.oidc.OidcAuthenticator;
import dev.keyward.web.auth.oidc.SignInOffer;
import dev.keyward.web.config.CaKeysConfig;
import dev.keyward.web.config.ConfigException;
import dev.keyward.web.config.ServerConfig;
import dev.keyward.web.db.Database;
import dev.keyward.web.http.ApiServer;
import dev.keyward.web.metrics.ServerMetrics;
import dev.keyward.web.audit.sink.SinkFollower;
import dev.keyward.web.service.AuditCheckpointer;
import dev.keyward.web.service.AuditKey;
import dev.keyward.web.service.AuditKeyBootstrap;
import dev.keyward.web.service.AuditService;
import dev.keyward.web.service.CaKeyBootstrap;
import dev.keyward.web.service.AgentStateWatcher;
import dev.keyward.web.service.CaKeyLifecycle;
import dev.keyward.web.service.CaKeyStatus;
import dev.keyward.web.service.CaKeys;
import dev.keyward.web.service.CaTrustExpiry;
import dev.keyward.web.service.ComplianceReports;
import dev.keyward.web.service.ConsoleOidcSignIn;
import dev.keyward.web.service.ConsoleServices;
import dev.keyward.web.service.ConsoleSessions;
import dev.keyward.web.service.OverviewService;
import dev.keyward.web.service.CertificateService;
import dev.keyward.web.service.HostServices;
import dev.keyward.web.service.FleetGauges;
import dev.keyward.web.service.IssuanceService;
import dev.keyward.web.service.KrlContent;
import dev.keyward.web.service.KrlPruner;
import dev.keyward.web.service.KrlService;
import dev.keyward.web.service.Readiness;
import dev.keyward.web.service.RevocationService;
import dev.keyward.web.service.Services;
import dev.keyward.web.service.SoftHsmKeyStore;
import dev.keyward.web.service.TokenService;
import dev.keyward.web.service.TrustService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: opens the database (embedded by default) and migrates it, opens or creates the CA keys and
 * the audit key, starts taking audit checkpoints, creates the bootstrap admin token on first start, wires the
 * services and starts the HTTP server.
 */
public final class KeywardServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeywardServer.class);
    public static final String VERSION = versionFromJar();

    private final Database db;
    private final CaKeys keys;
    private final ServerMetrics metrics;
    private final Services services;
    private final ApiServer api;
    private final KrlPruner pruner;
    private final AuditKey auditKey;
    private final AuditCheckpointer checkpoints;
    private final CaTrustExpiry trustExpiry;

    /** What the caller may plug in: secrets, clock, extra bearer authenticators (OIDC), the KRL encoder. */
    public record Options(SecretSource secrets, Clock clock, List<BearerAuthenticator> extraAuthenticators,
            Function<KrlContent, byte[]> krlEncoder) {
        public Options {
            extraAuthenticators = List.copyOf(extraAuthenticators);
        }

        public static Options defaults() {
            return new Options(SecretSource.environment(), Clock.systemUTC(), List.of(), KrlEncoding::encode);
        }

        public Options withSecrets(SecretSource s) {
            return new Options(s, clock, extraAuthenticators, krlEncoder);
        }

        public Options withClock(Clock c) {
            return new Options(secrets, c, extraAuthenticators, krlEncoder);
        }

        public Options withAuthenticator(BearerAuthenticator a) {
            List<BearerAuthenticator> l = new ArrayList<>(extraAuthenticators);
            l.add(a);
            return new Options(secrets, clock, l, krlEncoder);
        }
    }

    private KeywardServer(Database db, CaKeys keys, ServerMetrics metrics, Services services, ApiServer api,
            KrlPruner pruner, AuditKey auditKey, AuditCheckpointer checkpoints, CaTrustExpiry trustExpiry) {
        this.trustExpiry = trustExpiry;
        this.pruner = pruner;
        this.auditKey = auditKey;
        this.checkpoints = checkpoints;
        this.db = db;
        this.keys = keys;
        this.metrics = metrics;
        this.services = services;
        this.api = api;
    }

    public static KeywardServer start(ServerConfig cfg, Options opts) {
        cfg.http().checkTransportSecurity();
        IssuancePolicy policy = policy(cfg);
        Database db = Database.open(cfg.database(), cfg.home());
        CaKeys keys = null;
        AuditKey auditKey = null;
        AuditCheckpointer checkpoints = null;
        IssuanceService issuance = null;
        HostServices hostServices = null;
        CaTrustExpiry trustExpiry = null;
        OverviewService overview = null;
        ServerMetrics metrics = new ServerMetrics();
        try {
            db.migrate();
            cfg.audit().checkSinkDirectory(cfg.home());
            keys = new CaKeyBootstrap(db, cfg.home(), opts.secrets(), opts.clock(), keyStore(cfg, opts))
                    .load(cfg.ca());
            auditKey = new AuditKeyBootstrap(db, opts.secrets(), opts.clock()).load(cfg.audit().key(), cfg.ca());
            checkpoints = AuditCheckpointer.start(db, auditKey, cfg.audit().checkpointEvery(),
                    cfg.audit().checkpointInterval(), opts.clock(), metrics,
                    SinkFollower.configured(cfg.audit(), auditKey.signer().publicKey(), metrics::auditSinkFailure));
            FleetGauges.register(db, opts.clock(), metrics);
            TokenService tokens = new TokenService(db, opts.clock(), cfg.tokens().maxTtl());
            tokens.bootstrapAdmin(cfg.tokens().bootstrapTtl()).ifPresent(t -> writeAdminToken(cfg.home(), t.secret()));
            List<BearerAuthenticator> auth = new ArrayList<>();
            auth.add(new ApiTokenAuthenticator(db, opts.clock()));
            Optional<OidcAuthenticator> oidcAuth = cfg.oidc().map(oidc -> new OidcAuthenticator(oidc, opts.clock()));
            oidcAuth.ifPresent(auth::add);
            auth.addAll(opts.extraAuthenticators());
            Authenticators authenticators = new Authenticators(auth);
            KrlService krl = new KrlService(db, cfg.krl().versionCheckInterval(), opts.krlEncoder());
            issuance = new IssuanceService(db, keys, policy, opts.clock(), metrics, cfg.ca().signingThreads(),
                    checkpoints::appended);
            hostServices = HostServices.create(db, krl, issuance, opts.clock(), cfg.tokens().maxTtl(),
                    cfg.inventory());
            CaKeys active = keys;
            AgentStateWatcher watcher = hostServices.watcher();
            // a CA key activated through another node (or the CLI) is opened here when the versions change
            watcher.onVersionChange(active::refresh);
            trustExpiry = CaTrustExpiry.start(db, opts.clock(), watcher::changed, CaTrustExpiry.INTERVAL);
            Services services = new Services(opts.clock(), db, keys, authenticators, tokens, issuance,
                    new CertificateService(db, opts.clock()),
                    new RevocationService(db, opts.clock(), krl), krl, new TrustService(db),
                    new AuditService(db, Optional.of(auditKey), cfg.audit().sinkFile()), checkpoints,
                    new Readiness(db, keys, auditKey), metrics, hostServices,
                    new CaKeyLifecycle(db, Optional.of(keys), opts.secrets(), opts.clock(), cfg.ca().algorithm(),
                            watcher::changed),
                    new CaKeyStatus(db, opts.clock()),
                    new ComplianceReports(db, opts.clock(), policy, cfg.ca(), cfg.inventory(), opts.secrets()),
                    SignInOffer.of(cfg.oidc()),
                    new ConsoleServices(cfg.console(), new ConsoleSessions(db, opts.clock(), cfg.console()),
                            overview = OverviewService.start(db, opts.clock(), krl, hostServices.inventory(),
                                    cfg.console().overviewRefresh()),
                            cfg.oidc().filter(o -> o.login().isPresent()).map(o -> new ConsoleOidcSignIn(o,
                                    oidcAuth.orElseThrow(), authenticators, db, opts.clock()))));
            ApiServer api = new ApiServer(services, cfg.http(), VERSION).start();
            KrlPruner pruner = KrlPruner.start(db, opts.clock(), krl, KrlPruner.INTERVAL);
            LOG.info("Keyward {} listening on {}://{}:{}", VERSION, cfg.http().tls().isPresent() ? "https" : "http",
                    cfg.http().bind(), api.port());
            return new KeywardServer(db, keys, metrics, services, api, pruner, auditKey, checkpoints, trustExpiry);
        } catch (RuntimeException e) {
            if (overview != null) {
                overview.close();
            }
            if (trustExpiry != null) {
                trustExpiry.close();
            }
            if (hostServices != null) {
                hostServices.close();
            }
            if (issuance != null) {
                issuance.close();
            }
            if (checkpoints != null) {
                checkpoints.close();
            }
            if (keys != null) {
                keys.close();
            }
            if (auditKey != null) {
                auditKey.close();
            }
            metrics.close();
            db.close();
            throw e;
        }
    }

    public static IssuancePolicy policy(ServerConfig cfg) {
        try {
            IssuancePolicy p = cfg.policy().isEmpty() ? IssuancePolicy.defaults() : IssuancePolicy.fromMap(cfg.policy());
            LOG.info("Issuance policy: {}", p);
            return p;
        } catch (InvalidInputException e) {
            throw new ConfigException(e.getMessage().startsWith("policy") ? e.getMessage() : "policy: " + e.getMessage(), e);
        }
    }

    /**
     * Where keys the server creates itself go: a SoftHSM2 token under $KEYWARD_HOME when softhsm2 is installed
     * (and SOFTHSM2_CONF points there), else software key files (with a loud warning).
     */
    static CaKeyBootstrap.KeyStore keyStore(ServerConfig cfg, Options opts) {
        CaKeysConfig.Storage storage = cfg.ca().storage();
        if (storage == CaKeysConfig.Storage.SOFTWARE) {
            return CaKeyBootstrap.softwareKeys(cfg.home(), opts.secrets());
        }
        StringBuilder why = new StringBuilder();
        Optional<SoftHsmKeyStore> hsm = SoftHsmKeyStore.forHome(cfg.home(), System.getenv(), why);
        if (hsm.isPresent()) {
            return hsm.get();
        }
        if (storage == CaKeysConfig.Storage.SOFTHSM) {
            throw new ConfigException("ca.storage is softhsm, but " + why);
        }
        LOG.warn("Not using SoftHSM2 for new CA keys: {}", why);
        return CaKeyBootstrap.softwareKeys(cfg.home(), opts.secrets());
    }

    /** Writes the bootstrap admin token to $KEYWARD_HOME/admin-token (0600); logs the path, never the token. */
    static void writeAdminToken(Path home, String secret) {
        Path file = home.resolve("admin-token");
        try {
            Files.createDirectories(home);
            AtomicFiles.write(file, (secret + "\n").getBytes(StandardCharsets.US_ASCII), "rw-------");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the bootstrap admin token to " + file + ": " + e.getMessage(), e);
        }
        LOG.warn("Created the bootstrap admin token; it is in {} (mode 0600). Use it to create named tokens, then"
                + " revoke it (DELETE /api/v1/tokens/<id>)", file);
    }

    public int port() {
        return api.port();
    }

    public Services services() {
        return services;
    }

    /** The route table the server registered (what the authorization tests walk). */
    public List<dev.keyward.web.http.Route> routes() {
        return api.routes();
    }

    /** The admin console's routes, {@code "METHOD path"} each. */
    public List<String> consoleRoutes() {
        return api.consoleRoutes();
    }

    public Database database() {
        return db;
    }

    @Override
    public void close() {
        // the API first: it stops taking requests and lets those in flight finish (http.shutdown_timeout) while
        // everything they may use still runs
        api.close();
        services.console().overview().close();
        trustExpiry.close();
        pruner.close();
        services.hosts().close();
        services.issuance().close();
        checkpoints.close();
        keys.close();
        auditKey.close();
        metrics.close();
        db.close();
    }

    private static String versionFromJar() {
        String v = KeywardServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
