package dev.sluice.server;

import dev.sluice.control.compare.OutputComparison;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.lifecycle.ApplyResult;
import dev.sluice.control.lifecycle.ConflictException;
import dev.sluice.control.lifecycle.DeploymentService;
import dev.sluice.control.lifecycle.NotFoundException;
import dev.sluice.control.store.Store;
import dev.sluice.control.streams.StreamStorage;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.ApplyAnswer;
import dev.sluice.model.DiffAnswer;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.Problem;
import dev.sluice.model.ResourceList;
import dev.sluice.model.StreamName;
import dev.sluice.model.Json;
import dev.sluice.model.SpecError;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The REST API under {@code /api/v1}: thin handlers over the {@link DeploymentService} and the store. */
final class ApiRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRoutes.class);
    private static final String BASE = "/api/v1/namespaces/{ns}";
    private static final String DEPLOYMENT = BASE + "/deployments/{name}";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /** What the routes serve, once every part of the server has started; until then they answer 503. */
    record Parts(DeploymentService deployments, OutputComparison comparison, Store store, StreamStorage streams,
            Map<String, Object> info) {}

    private volatile Parts parts;
    private volatile Resources resources;

    /**
     * Routes are registered before the HTTP server starts (Javalin's routing table is not safe to change while it
     * serves); they serve once {@link #serve} has the parts.
     */
    ApiRoutes() {
    }

    ApiRoutes(Parts parts) {
        serve(parts);
    }

    void serve(Parts parts) {
        this.resources = new Resources(parts.store());
        this.parts = parts;
    }

    private DeploymentService deployments() {
        return parts.deployments();
    }

    private Store store() {
        return parts.store();
    }

    private StreamStorage streams() {
        return parts.streams();
    }

    private Resources resources() {
        return resources;
    }

    void register(Javalin app) {
        app.before("/api/*", ctx -> {
            if (parts == null) {
                ctx.skipRemainingHandlers();
                problem(ctx, Problem.of("starting", "Sluice is starting", 503,
                        "the server is starting; /readyz answers 200 once it serves", ctx.path(), null));
            }
        });
        app.get("/api/v1/info", ctx -> ctx.json(parts.info()));
        app.post(BASE + "/deployments", this::apply);
        app.get(BASE + "/deployments", ctx -> ctx.json(items(resources().deployments(
                store().deployments().list(namespace(ctx)), namespace(ctx)))));
        app.get(DEPLOYMENT, ctx -> ctx.json(resources().deployment(deployments().require(key(ctx)))));
        app.delete(DEPLOYMENT, ctx -> ctx.json(resources().deployment(deployments().delete(key(ctx), actor(ctx)))));
        app.post(DEPLOYMENT + "/suspend", ctx -> accepted(ctx, deployments().suspend(key(ctx), actor(ctx))));
        app.post(DEPLOYMENT + "/resume", ctx -> accepted(ctx, deployments().resume(key(ctx), actor(ctx))));
        app.post(DEPLOYMENT + "/cancel", ctx -> accepted(ctx, deployments().cancel(key(ctx), actor(ctx))));
        app.post(DEPLOYMENT + "/rollback", ctx -> accepted(ctx, deployments().rollback(key(ctx),
                optionalInt(ctx, "toVersion"), actor(ctx))));
        app.post(DEPLOYMENT + "/scale", this::scale);
        app.post(DEPLOYMENT + "/diff", this::diff);
        app.post(DEPLOYMENT + "/fork", this::fork);
        app.get(DEPLOYMENT + "/versions", ctx -> ctx.json(items(store().versions().list(existing(ctx)).stream()
                .map(Resources::version).toList())));
        app.post(DEPLOYMENT + "/snapshots", ctx -> ctx.status(HttpStatus.ACCEPTED)
                .json(Resources.snapshot(deployments().snapshot(key(ctx), actor(ctx)))));
        app.get(DEPLOYMENT + "/snapshots", ctx -> {
            DeploymentKey key = existing(ctx);
            ctx.json(items(store().snapshots().list(key.namespace(), key.name()).stream().map(Resources::snapshot).toList()));
        });
        app.get(DEPLOYMENT + "/snapshots/{id}", ctx -> {
            DeploymentKey key = existing(ctx);
            ctx.json(store().snapshots().find(ctx.pathParam("id"))
                    .filter(s -> s.namespace.equals(key.namespace()) && s.name.equals(key.name()))
                    .map(Resources::snapshot)
                    .orElseThrow(() -> new NotFoundException("snapshot " + ctx.pathParam("id") + " not found")));
        });
        app.get(BASE + "/compare", ctx -> ctx.json(parts.comparison().compare(
                new DeploymentKey(namespace(ctx), required(ctx, "a")), new DeploymentKey(namespace(ctx), required(ctx, "b")))));
        app.get(BASE + "/snapshots", ctx -> ctx.json(items(store().snapshots().list(namespace(ctx), null).stream()
                .map(Resources::snapshot).toList())));
        app.get(DEPLOYMENT + "/events", ctx -> {
            DeploymentKey key = existing(ctx);
            ctx.json(items(store().events().list(key.namespace(), key.name(), limit(ctx)).stream().map(Resources::event).toList()));
        });
        app.get(BASE + "/events", ctx -> ctx.json(items(store().events().list(namespace(ctx), null, limit(ctx)).stream()
                .map(Resources::event).toList())));
        app.get("/api/v1/streams", ctx -> ctx.json(items(streams().topics().stream()
                .map(StreamName::new).toList())));
        app.get("/api/v1/streams/{topic}/records", this::tail);
        app.get("/api/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml")
                .result(getClass().getResourceAsStream("openapi.yaml")));

        app.exception(InvalidSpecException.class, (e, ctx) -> problem(ctx, Problem.of("invalid-input",
                "The request is not valid", 400, e.getMessage(), ctx.path(), e.errors())));
        app.exception(NotFoundException.class, (e, ctx) -> problem(ctx, Problem.of("not-found",
                "Not found", 404, e.getMessage(), ctx.path(), null)));
        app.exception(ConflictException.class, (e, ctx) -> problem(ctx, Problem.of("conflict",
                "Conflict with the current state", 409, e.getMessage(), ctx.path(), null)));
        app.exception(EngineException.class, (e, ctx) -> problem(ctx, Problem.of("engine-error",
                "The engine failed", 502, e.getMessage(), ctx.path(), null)));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            problem(ctx, Problem.of("internal-error", "Internal error", 500, String.valueOf(e.getMessage()),
                    ctx.path(), null));
        });
        app.error(404, ctx -> {
            if (!String.valueOf(ctx.res().getContentType()).startsWith(Problem.CONTENT_TYPE)) {
                problem(ctx, Problem.of("not-found", "Not found", 404, "no resource at " + ctx.path(), ctx.path(), null));
            }
        });
        app.error(405, ctx -> problem(ctx, Problem.of("method-not-allowed", "Method not allowed", 405,
                ctx.method() + " is not allowed on " + ctx.path(), ctx.path(), null)));
    }

    /** One document answers as {@link #applied}; several (a set, all or nothing) as {@code {"items": [...]}}. */
    private void apply(Context ctx) {
        List<ApplyResult> results = deployments().applyAll(ctx.body(), namespace(ctx), actor(ctx));
        boolean allCreated = results.stream().allMatch(r -> r.outcome() == ApplyResult.Outcome.CREATED);
        ctx.status(allCreated ? HttpStatus.CREATED : HttpStatus.OK);
        if (results.size() == 1) {
            ctx.json(applied(results.get(0)));
        } else {
            ctx.json(items(results.stream().map(this::applied).toList()));
        }
    }

    /** What apply, scale and fork answer: {@code {"result", "version", "deployment"}}. */
    private ApplyAnswer applied(ApplyResult result) {
        return new ApplyAnswer(ApplyAnswer.Result.valueOf(result.outcome().name()), result.version(),
                resources().deployment(deployments().require(result.key())));
    }

    private void scale(Context ctx) {
        if (ctx.queryParam("parallelism") == null) {
            throw new InvalidSpecException(new SpecError("parallelism", 0, 0, "required: the new parallelism"));
        }
        int parallelism = intParam(ctx, "parallelism", 0, 1, dev.sluice.model.PipelineSpec.MAX_PARALLELISM);
        ctx.json(applied(deployments().scale(key(ctx), parallelism, actor(ctx))));
    }

    private void fork(Context ctx) {
        String as = ctx.queryParam("as");
        if (as == null || !LABEL.matcher(as).matches()) {
            throw new InvalidSpecException(new SpecError("as", 0, 0,
                    "the fork's name must be a lower-case DNS label, got " + (as == null ? "nothing" : "\"" + as + "\"")));
        }
        // A fork always creates its deployment (an existing name is a conflict): result "created".
        ctx.status(HttpStatus.CREATED)
                .json(applied(deployments().fork(key(ctx), as, ctx.queryParam("snapshot"), ctx.body(), actor(ctx))));
    }

    private void diff(Context ctx) {
        DeploymentService.DiffResult result = deployments().diff(ctx.body(), namespace(ctx));
        if (!result.key().equals(key(ctx))) {
            throw new InvalidSpecException(new SpecError("metadata.name", 0, 0, "the document names "
                    + result.key() + ", not " + key(ctx)));
        }
        var restore = result.stateCheck();
        DiffAnswer.StateCheck check = restore == null ? null : new DiffAnswer.StateCheck(restore.snapshot(),
                restore.restorable(false), restore.dropped(), restore.problems());
        ctx.json(new DiffAnswer(result.againstVersion(), result.diff().type(), result.diff().action(),
                result.diff().changes(), check));
    }

    private static String required(Context ctx, String name) {
        String value = ctx.queryParam(name);
        if (value == null || !LABEL.matcher(value).matches()) {
            throw new InvalidSpecException(new SpecError(name, 0, 0, "query parameter " + name
                    + " must name a deployment (a lower-case DNS label)"));
        }
        return value;
    }

    private static Integer optionalInt(Context ctx, String name) {
        return ctx.queryParam(name) == null ? null : intParam(ctx, name, 0, 1, Integer.MAX_VALUE);
    }

    private void tail(Context ctx) {
        String topic = ctx.pathParam("topic");
        if (!TOPIC.matcher(topic).matches()) {
            throw new InvalidSpecException(new SpecError("topic", 0, 0, "not a topic name: " + topic));
        }
        if (!streams().topics().contains(topic)) {
            throw new NotFoundException("stream " + topic + " not found");
        }
        boolean fromBeginning = Boolean.parseBoolean(ctx.queryParam("fromBeginning"));
        int limit = intParam(ctx, "limit", 100, 1, 10_000);
        int waitMs = intParam(ctx, "waitMs", 2000, 0, 60_000);
        List<StreamStorage.StreamRecord> records = new ArrayList<>();
        streams().tail(topic, fromBeginning, Duration.ofMillis(waitMs), r -> {
            records.add(r);
            return records.size() < limit;
        });
        ctx.json(items(records));
    }

    private void accepted(Context ctx, dev.sluice.control.store.DeploymentRow row) {
        ctx.status(HttpStatus.ACCEPTED).json(resources().deployment(row));
    }

    private static void problem(Context ctx, Problem problem) {
        ctx.status(problem.status()).contentType(Problem.CONTENT_TYPE).result(Json.write(problem));
    }

    private static <T> ResourceList<T> items(List<T> items) {
        return ResourceList.of(items);
    }

    private static String namespace(Context ctx) {
        String ns = ctx.pathParam("ns");
        if (!LABEL.matcher(ns).matches()) {
            throw new InvalidSpecException(new SpecError("namespace", 0, 0,
                    "must be a lower-case DNS label, got \"" + ns + "\""));
        }
        return ns;
    }

    private static DeploymentKey key(Context ctx) {
        return new DeploymentKey(namespace(ctx), ctx.pathParam("name"));
    }

    private DeploymentKey existing(Context ctx) {
        return deployments().require(key(ctx)).key();
    }

    private static int limit(Context ctx) {
        return intParam(ctx, "limit", 100, 1, 10_000);
    }

    private static int intParam(Context ctx, String name, int fallback, int min, int max) {
        String value = ctx.queryParam(name);
        if (value == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidSpecException(new SpecError(name, 0, 0,
                "must be a whole number from " + min + " to " + max + ", got \"" + value + "\""));
    }

    private static String actor(Context ctx) {
        String user = ctx.header("X-Sluice-User");
        return user == null || user.isBlank() ? "api" : "user:" + user;
    }
}
