package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.PipelineRejectedException;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.VersionRow;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DesiredState;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.Json;
import dev.sluice.model.Phase;
import dev.sluice.model.PipelineDocument;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.SnapshotOrigin;
import dev.sluice.model.SnapshotState;
import dev.sluice.model.SpecError;
import dev.sluice.model.SpecParser;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The user's verbs on deployments. Each validates fully before it writes, writes desired state and an event in one
 * transaction, and leaves the acting to the {@link Reconciler}. A rejected request changes nothing.
 */
public final class DeploymentService {
    private final Store store;
    private final Targets targets;
    private final SnapshotLayout layout;
    private final Events events;
    private final DeploymentLocks locks;
    private final Reconciler reconciler;
    private final Map<String, String> placeholders;
    private final Clock clock;
    private final SpecParser parser = new SpecParser();

    public DeploymentService(Store store, Targets targets, SnapshotLayout layout, Events events, DeploymentLocks locks,
            Reconciler reconciler, Map<String, String> placeholders, Clock clock) {
        this.store = store;
        this.targets = targets;
        this.layout = layout;
        this.events = events;
        this.locks = locks;
        this.reconciler = reconciler;
        this.placeholders = placeholders;
        this.clock = clock;
    }

    /** Creates a deployment, or a new version of it when its spec changed; identical specs are a no-op. */
    public ApplyResult apply(String yaml, String namespace, String actor) {
        SpecParser.Parsed parsed = parser.parse(yaml);
        PipelineDocument doc = parsed.document();
        String ns = parsed.locations().has("metadata.namespace") ? doc.metadata().namespace() : namespace;
        DeploymentKey key = new DeploymentKey(ns, doc.metadata().name());
        PipelineSpec spec = doc.spec();
        Engine engine = targets.find(spec.target()).orElseThrow(() -> new InvalidSpecException(parsed.locations()
                .error("spec.target", "unknown target '" + spec.target() + "'; targets: " + targets.names())));
        return locks.with(key, () -> {
            DeploymentRow current = store.deployment(key).orElse(null);
            VersionRow currentVersion = current == null ? null : store.version(key, current.specVersion).orElseThrow();
            PipelineSpec before = currentVersion == null ? null : Json.read(currentVersion.spec, PipelineSpec.class);
            boolean sameSpec = before != null && before.withState(null).equals(spec.withState(null));
            String labels = Json.write(doc.metadata().labels());
            if (sameSpec && before.state() == spec.state() && labels.equals(current.labels)) {
                return new ApplyResult(key, ApplyResult.Outcome.UNCHANGED, current.specVersion);
            }
            CompiledPipeline compiled = sameSpec ? null : compile(engine, spec, parsed);
            long now = clock.millis();
            DeploymentRow row = current == null ? newRow(key, now) : current.copy();
            row.labels = labels;
            row.updatedAt = now;
            setDesired(row, spec.state());
            int version = sameSpec ? row.specVersion : row.specVersion + 1;
            row.specVersion = version;
            store.inTransaction(h -> {
                if (!sameSpec) {
                    VersionRow v = new VersionRow();
                    v.namespace = key.namespace();
                    v.name = key.name();
                    v.version = version;
                    v.spec = Json.write(spec);
                    v.planKind = compiled.kind();
                    v.plan = compiled.plan();
                    v.createdAt = now;
                    store.insertVersion(h, v);
                }
                if (current == null) {
                    store.insertDeployment(h, row);
                    events.normal(h, key, version, "Created", "deployment created at version 1, desired state "
                            + spec.state().wire(), actor);
                } else {
                    store.updateDeployment(h, row);
                    events.normal(h, key, version, sameSpec ? "DesiredStateChanged" : "VersionCreated",
                            sameSpec ? "desired state " + spec.state().wire()
                                    : "version " + version + " accepted, desired state " + spec.state().wire(), actor);
                }
            });
            reconciler.wake();
            return new ApplyResult(key, current == null ? ApplyResult.Outcome.CREATED : ApplyResult.Outcome.UPDATED, version);
        });
    }

    private CompiledPipeline compile(Engine engine, PipelineSpec spec, SpecParser.Parsed parsed) {
        if (spec.jar() != null) {
            throw new InvalidSpecException(parsed.locations().error("spec.jar", "jar pipelines are not supported yet; "
                    + "use spec.sql"));
        }
        try {
            return engine.compile(withPlaceholders(spec));
        } catch (PipelineRejectedException e) {
            List<SpecError> placed = new ArrayList<>();
            for (SpecError error : e.errors()) {
                int[] at = error.line() > 0
                        ? parsed.locations().insideValue("spec.sql", spec.sql(), error.line(), error.column())
                        : new int[] {0, 0};
                SpecError fallback = parsed.locations().error(error.field(), error.message());
                placed.add(at[0] > 0 ? new SpecError(error.field(), at[0], at[1], error.message()) : fallback);
            }
            throw new InvalidSpecException(placed);
        }
    }

    /** {@code ${kafka.bootstrapServers}} and friends, resolved when the plan is compiled. */
    private PipelineSpec withPlaceholders(PipelineSpec spec) {
        String sql = spec.sql();
        for (Map.Entry<String, String> p : placeholders.entrySet()) {
            sql = sql.replace("${" + p.getKey() + "}", p.getValue());
        }
        return new PipelineSpec(sql, spec.jar(), spec.parallelism(), spec.state(), spec.upgradeStrategy(),
                spec.restoreStrategy(), spec.checkpoints(), spec.target(), spec.allowNonRestoredState(),
                spec.flinkConfiguration());
    }

    private DeploymentRow newRow(DeploymentKey key, long now) {
        DeploymentRow row = new DeploymentRow();
        row.namespace = key.namespace();
        row.name = key.name();
        row.uid = UUID.randomUUID().toString();
        row.phase = Phase.PENDING.wire();
        row.specVersion = 0;
        row.createdAt = now;
        row.transitionAt = now;
        return row;
    }

    /** A new desired state; a failed or finished deployment asked to run starts over from its newest state. */
    private static void setDesired(DeploymentRow row, DesiredState state) {
        Phase phase = Phase.parse(row.phase);
        if (state == DesiredState.RUNNING && !DesiredState.RUNNING.wire().equals(row.desiredState)
                || state == DesiredState.RUNNING && (phase == Phase.FAILED || phase == Phase.FINISHED)) {
            if (phase.terminal()) {
                row.phase = Phase.PENDING.wire();
                row.error = null;
                row.jobId = phase == Phase.FINISHED || phase == Phase.FAILED ? null : row.jobId;
            }
        }
        row.desiredState = state.wire();
    }

    public DeploymentRow suspend(DeploymentKey key, String actor) {
        return changeDesired(key, DesiredState.SUSPENDED, actor);
    }

    public DeploymentRow resume(DeploymentKey key, String actor) {
        return changeDesired(key, DesiredState.RUNNING, actor);
    }

    public DeploymentRow cancel(DeploymentKey key, String actor) {
        return changeDesired(key, DesiredState.CANCELLED, actor);
    }

    private DeploymentRow changeDesired(DeploymentKey key, DesiredState state, String actor) {
        DeploymentRow row = locks.with(key, () -> {
            DeploymentRow r = require(key);
            setDesired(r, state);
            r.updatedAt = clock.millis();
            store.inTransaction(h -> {
                store.updateDeployment(h, r);
                events.normal(h, key, r.specVersion, "DesiredStateChanged", "desired state " + state.wire(), actor);
            });
            return r;
        });
        reconciler.wake();
        return row;
    }

    /** Cancels the job if one runs and forgets the deployment (its snapshot files stay in storage). */
    public DeploymentRow delete(DeploymentKey key, String actor) {
        return locks.with(key, () -> {
            DeploymentRow row = require(key);
            if (row.jobId != null) {
                // The job belongs to the running version, whose target may differ from the newest version's.
                int running = row.runningVersion == null ? row.specVersion : row.runningVersion;
                VersionRow v = store.version(key, running).orElseThrow();
                targets.get(Json.read(v.spec, PipelineSpec.class).target()).cancel(row.jobId);
            }
            store.inTransaction(h -> store.deleteDeployment(h, key));
            return row;
        });
    }

    /** Asks for a savepoint of the running job; the reconciler takes it. */
    public SnapshotRow snapshot(DeploymentKey key, String actor) {
        SnapshotRow snapshot = locks.with(key, () -> {
            DeploymentRow row = require(key);
            if (!Phase.RUNNING.wire().equals(row.phase) || row.jobId == null) {
                throw new ConflictException("deployment " + key + " is " + row.phase
                        + "; a snapshot needs a running job");
            }
            if (row.pendingSnapshot != null) {
                throw new ConflictException("deployment " + key + " is already taking snapshot " + row.pendingSnapshot);
            }
            SnapshotRow s = new SnapshotRow();
            s.id = UUID.randomUUID().toString();
            s.namespace = key.namespace();
            s.name = key.name();
            s.version = row.runningVersion;
            s.origin = SnapshotOrigin.USER.wire();
            s.state = SnapshotState.IN_PROGRESS.wire();
            s.targetDir = layout.savepointDirectory(key, s.id);
            s.jobId = row.jobId;
            s.createdAt = clock.millis();
            row.pendingSnapshot = s.id;
            row.updatedAt = clock.millis();
            store.inTransaction(h -> {
                store.insertSnapshot(h, s);
                store.updateDeployment(h, row);
                events.normal(h, key, row.runningVersion, "SnapshotRequested", "snapshot " + s.id + " requested", actor);
            });
            return s;
        });
        reconciler.wake();
        return snapshot;
    }

    public DeploymentRow require(DeploymentKey key) {
        return store.deployment(key).orElseThrow(() -> new NotFoundException(
                "deployment " + key.name() + " not found in namespace " + key.namespace()));
    }
}
