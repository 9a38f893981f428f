package dev.sluice.server;

import dev.sluice.control.compare.OutputComparison;
import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.TargetFactory;
import dev.sluice.control.lifecycle.DeploymentLocks;
import dev.sluice.control.lifecycle.DeploymentService;
import dev.sluice.control.lifecycle.Events;
import dev.sluice.control.lifecycle.Reconciler;
import dev.sluice.control.snapshots.SnapshotStore;
import dev.sluice.engine.flink.FlinkSnapshotStore;
import dev.sluice.control.lifecycle.Targets;
import dev.sluice.control.store.Store;
import dev.sluice.control.streams.StreamStorage;
import dev.sluice.engine.flink.EmbeddedTargetFactory;
import dev.sluice.engine.flink.FlinkFileSystems;
import dev.sluice.engine.flink.SessionTargetFactory;
import dev.sluice.model.Json;
import dev.sluice.streams.kafka.EmbeddedKafka;
import dev.sluice.streams.kafka.ExternalKafka;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Sluice control plane with its parts: by default everything in this JVM (Flink MiniCluster, a KRaft broker, H2,
 * local disk), otherwise what {@code sluice.yaml} names (an external Kafka, PostgreSQL). Started parts are closed in
 * reverse order.
 */
public final class SluiceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);
    public static final String VERSION = "0.1.0-SNAPSHOT";

    private final SluiceConfig config;
    private final List<AutoCloseable> started = new ArrayList<>();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final List<Map<String, Object>> targetInfo = new ArrayList<>();
    private SnapshotStorage snapshots;
    private StreamStorage streams;
    private TargetFactory.Started embedded;
    private Store store;
    private Targets targets;
    private volatile Reconciler reconciler;
    private DeploymentService deployments;
    private Javalin http;
    private final ApiRoutes api = new ApiRoutes();
    private PrometheusMeterRegistry metrics;

    private SluiceServer(SluiceConfig config) {
        this.config = config;
    }

    public static SluiceServer start(SluiceConfig config) {
        SluiceServer server = new SluiceServer(config);
        try {
            server.startParts();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startParts() {
        long t0 = System.nanoTime();
        Path data = config.dataDirectory();
        createDirectories(data);
        Clock clock = Clock.systemUTC();
        // The embedded parts start first, side by side, and the HTTP port, the metrics and Flink's file systems are
        // set up while they do: readiness waits for the slowest part, so nothing else goes before it. (The data
        // directory is locked by then: a second server on it does not get this far.)
        snapshots = SnapshotStorage.of(config);
        PartsStart parts = new PartsStart(data);
        RuntimeException failure = null;
        try {
            startHttp();
            initializeFileSystems();
        } catch (RuntimeException e) {
            failure = e;
        }
        parts.finish(failure);
        List<Engine> engines = new ArrayList<>();
        engines.add(embedded.engine());
        targetInfo.add(describeTarget(embeddedSettings(data), embedded));
        for (SluiceConfig.Target t : config.remoteTargets()) {
            TargetFactory.Settings settings = settings(t, data);
            TargetFactory.Started remote = TargetTypes.get(settings.type()).start(settings);
            started.add(remote.resources());
            engines.add(remote.engine());
            targetInfo.add(describeTarget(settings, remote));
        }
        targets = new Targets(engines);
        started.add(targets);
        SnapshotStore snapshotStore = new FlinkSnapshotStore(snapshots.layout());
        Events events = new Events(store, clock);
        DeploymentLocks locks = new DeploymentLocks();
        reconciler = new Reconciler(store, targets, snapshotStore, events, locks, clock, ArmedFaults.forDataDirectory(data));
        deployments = new DeploymentService(store, targets, snapshotStore, events, locks, reconciler,
                Map.of("kafka.bootstrapServers", streams.bootstrapServers()), clock);
        api.serve(new ApiRoutes.Parts(deployments, new OutputComparison(store, targets, streams, deployments), store,
                streams, info()));
        bindGauges();
        io.micrometer.core.instrument.Timer passes = io.micrometer.core.instrument.Timer.builder("sluice.reconcile.pass")
                .description("reconcile passes: each looks at the deployments that are due (all of them every few "
                        + "seconds)")
                .register(metrics);
        reconciler.onPass(pass -> passes.record(pass.took()));
        reconciler.start(config.reconcileEvery());
        started.add(reconciler);
        ready.set(true);
        LOG.info("Sluice ready in {} ms: API http://127.0.0.1:{} , Kafka {} , targets {} , data {}",
                (System.nanoTime() - t0) / 1_000_000, port(), streams.bootstrapServers(), targetsLine(), data);
    }

    /**
     * The embedded parts (metadata store, Kafka, Flink) starting side by side, none waiting for another; {@link
     * #finish} collects them, registers each for closing, and throws the first failure (the HTTP server's, or a
     * part's) once every part has started or failed, so nothing is left running behind a failed start.
     */
    private final class PartsStart {
        private final ExecutorService pool = Executors.newFixedThreadPool(3, r -> {
            Thread thread = new Thread(r, "sluice-start");
            thread.setDaemon(true);
            return thread;
        });
        private final Future<Store> store;
        private final Future<StreamStorage> streams;
        private final Future<TargetFactory.Started> flink;

        PartsStart(Path data) {
            TargetFactory.Settings settings = embeddedSettings(data);
            flink = pool.submit(() -> TargetTypes.get(settings.type()).start(settings));
            store = pool.submit(() -> timed("metadata store (" + StoreFactory.describe(config).get("type") + ")",
                    () -> StoreFactory.open(config, System.getenv())));
            streams = pool.submit(() -> config.externalKafka() != null
                    ? new ExternalKafka(config.externalKafka())
                    : EmbeddedKafka.start(data.resolve("kafka"), config.kafkaPort()));
            pool.shutdown();
        }

        void finish(RuntimeException failure) {
            RuntimeException[] first = {failure};
            // Collected in the order they close in reverse: the store last, after the broker and Flink.
            SluiceServer.this.store = collect(store, first);
            SluiceServer.this.streams = collect(streams, first);
            embedded = collect(flink, TargetFactory.Started::resources, first);
            if (first[0] != null) {
                throw first[0];
            }
        }
    }

    /** The API's HTTP server, with health, readiness and metrics; its routes answer 503 until the parts are up. */
    private void startHttp() {
        metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        http = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.jsonMapper(new JavalinJackson(Json.MAPPER, false));
        });
        http.get("/healthz", ctx -> ctx.result("ok"));
        http.get("/readyz", ctx -> {
            String problem = reconciler == null ? null : reconciler.ownershipProblem();
            if (!ready.get()) {
                ctx.status(503).result("starting");
            } else if (problem != null) {
                ctx.status(503).result("not reconciling: " + problem);
            } else {
                ctx.result("ready");
            }
        });
        http.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
        api.register(http);
        http.start("127.0.0.1", config.httpPort());
        started.add(http::stop);
    }

    private TargetFactory.Settings embeddedSettings(Path data) {
        return new TargetFactory.Settings("embedded", EmbeddedTargetFactory.TYPE,
                Map.of("slots", Integer.toString(config.flinkSlots())), snapshots.flinkConfiguration(),
                data.resolve("flink-tmp"));
    }

    private TargetFactory.Settings settings(SluiceConfig.Target target, Path data) {
        String type = target.type() == null ? SessionTargetFactory.TYPE : target.type();
        return new TargetFactory.Settings(target.name(), type, Map.of("rest", target.rest()),
                snapshots.flinkConfiguration(), data.resolve("targets").resolve(target.name()));
    }

    private static <T> T timed(String part, Callable<T> start) throws Exception {
        long t0 = System.nanoTime();
        T started = start.call();
        LOG.info("{} ready in {} ms", part, (System.nanoTime() - t0) / 1_000_000);
        return started;
    }

    /** The part a start produced, registered for closing; null when it failed, its failure kept if it is the first. */
    private <T extends AutoCloseable> T collect(Future<T> start, RuntimeException[] firstFailure) {
        return collect(start, part -> part, firstFailure);
    }

    /** As {@link #collect(Future, RuntimeException[])}, closing what {@code closing} says of the part. */
    private <T> T collect(Future<T> start, java.util.function.Function<T, AutoCloseable> closing,
            RuntimeException[] firstFailure) {
        try {
            T part = start.get();
            started.add(closing.apply(part));
            return part;
        } catch (ExecutionException e) {
            if (firstFailure[0] == null) {
                firstFailure[0] = e.getCause() instanceof RuntimeException runtime ? runtime
                        : new IllegalStateException(e.getCause().getMessage(), e.getCause());
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting", e);
        }
    }

    /**
     * Sets up Flink's file systems (plugins and options) before anything touches snapshot storage, and refuses to
     * start if snapshots.location has none.
     */
    private void initializeFileSystems() {
        Optional<Path> plugins = FlinkFileSystems.pluginsDirectory();
        FlinkFileSystems.initialize(snapshots.flinkConfiguration(), plugins);
        if (!FlinkFileSystems.supports(snapshots.location())) {
            throw new IllegalStateException(snapshots.noFileSystem(plugins));
        }
        LOG.info("snapshots in {}{}", snapshots.location(), snapshots.entropyMarker() == null ? ""
                : ", checkpoint data under random prefixes in place of " + snapshots.entropyMarker());
    }

    private void bindGauges() {
        for (dev.sluice.model.Phase phase : dev.sluice.model.Phase.values()) {
            Gauge.builder("sluice_deployments", store, s -> s.deployments().list(null).stream()
                            .filter(d -> d.phase == phase).count())
                    .tag("phase", phase.wire())
                    .description("Deployments by observed phase")
                    .register(metrics);
        }
    }

    /**
     * A target as info() shows it, its own configuration checked against the snapshot storage once at start: a cluster
     * configured for other storage is logged and shown, not refused (it may be fixed while Sluice runs).
     */
    private Map<String, Object> describeTarget(TargetFactory.Settings settings, TargetFactory.Started target) {
        Map<String, Object> described = new LinkedHashMap<>();
        described.put("name", settings.name());
        described.put("type", settings.type());
        described.putAll(target.info());
        if (!EmbeddedTargetFactory.TYPE.equals(settings.type())) {
            List<String> problems = target.configuration().map(snapshots::clusterProblems).orElse(List.of());
            problems.forEach(p -> LOG.warn("target {} ({}): {}", settings.name(), target.info().get("rest"), p));
            if (target.configuration().isEmpty()) {
                LOG.warn("target {} ({}) does not answer; its deployments wait until it does", settings.name(),
                        target.info().get("rest"));
            }
            described.put("problems", problems);
        }
        return described;
    }

    public Map<String, Object> info() {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("version", VERSION);
        info.put("dataDir", config.dataDirectory().toString());
        info.put("api", "http://127.0.0.1:" + port());
        info.put("targets", List.copyOf(targetInfo));
        info.put("kafka", Map.of("bootstrapServers", streams.bootstrapServers(),
                "embedded", config.externalKafka() == null));
        info.put("store", StoreFactory.describe(config));
        info.put("snapshots", Map.of("location", snapshots.location(), "entropy", snapshots.entropyMarker() != null));
        return info;
    }

    /** The targets in one line: "embedded http://... ; cluster http://... (not answering)". */
    public String targetsLine() {
        return targetInfo.stream().map(t -> t.get("name") + " " + t.get("rest")
                + (Boolean.FALSE.equals(t.get("reachableAtStart")) ? " (not answering)" : ""))
                .collect(java.util.stream.Collectors.joining(" ; "));
    }

    public int port() {
        return http.port();
    }

    /** Every HTTP route the server answers, as {@code METHOD /path/{param}}: what the OpenAPI document must describe. */
    public List<String> routes() {
        return http.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
                .filter(e -> e.getEndpoint().getMethod().isHttpMethod())
                .map(e -> e.getEndpoint().getMethod().name() + " " + e.getEndpoint().getPath()).sorted().toList();
    }

    public StreamStorage streams() {
        return streams;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    public DeploymentService deployments() {
        return deployments;
    }

    public Store store() {
        return store;
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dir, e);
        }
    }

    @Override
    public void close() {
        ready.set(false);
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed", started.get(i), e);
            }
        }
        started.clear();
        LOG.info("Sluice stopped");
    }
}
