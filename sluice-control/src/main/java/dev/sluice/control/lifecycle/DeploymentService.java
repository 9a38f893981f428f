package dev.sluice.control.lifecycle;

import dev.sluice.control.snapshots.SnapshotStore;
import dev.sluice.control.snapshots.SnapshotLayout;
import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.PipelineRejectedException;
import dev.sluice.control.engine.RestoreCheck;
import dev.sluice.control.engine.SnapshotGoneException;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.Tx;
import dev.sluice.control.store.VersionRow;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.DesiredState;
import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.DiffType;
import dev.sluice.model.Json;
import dev.sluice.model.Metadata;
import dev.sluice.model.Phase;
import dev.sluice.model.PipelineDocument;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.RestoreStrategy;
import dev.sluice.model.SnapshotOrigin;
import dev.sluice.model.SnapshotState;
import dev.sluice.model.SpecDiff;
import dev.sluice.model.SpecError;
import dev.sluice.model.SpecParser;
import dev.sluice.model.UpgradeAction;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The user's verbs on deployments. Each validates fully before it writes, writes desired state and an event in one
 * transaction, and leaves the acting to the {@link Reconciler}. A rejected request changes nothing.
 */
public final class DeploymentService {
    private final Store store;
    private final Targets targets;
    private final SnapshotLayout layout;
    private final SnapshotStore snapshotStore;
    private final Events events;
    private final DeploymentLocks locks;
    private final Reconciler reconciler;
    private final Map<String, String> placeholders;
    private final Clock clock;
    private final SpecParser parser = new SpecParser();
    private final RestorePoints restorePoints;

    public DeploymentService(Store store, Targets targets, SnapshotStore snapshotStore, Events events, DeploymentLocks locks,
            Reconciler reconciler, Map<String, String> placeholders, Clock clock) {
        this.store = store;
        this.targets = targets;
        this.snapshotStore = snapshotStore;
        this.layout = snapshotStore.layout();
        this.events = events;
        this.locks = locks;
        this.reconciler = reconciler;
        this.placeholders = placeholders;
        this.clock = clock;
        this.restorePoints = new RestorePoints(store, snapshotStore);
    }

    /** Creates a deployment, or a new version of it when its spec changed; identical specs are a no-op. */
    public ApplyResult apply(String yaml, String namespace, String actor) {
        return apply(yaml, namespace, actor, null);
    }

    /** Where a fork starts: the source deployment and the snapshot its state comes from. */
    private record ForkOrigin(DeploymentKey source, String location, String describe) {}

    /**
     * Starts a second deployment {@code newName} from a snapshot of {@code source} (by default its newest state), with
     * the source's current spec or the one in {@code yaml}: side-by-side versions, A/B tests, reprocessing from a
     * point in the past. The new spec must be able to restore that snapshot (pre-flight check).
     */
    public ApplyResult fork(DeploymentKey source, String newName, String snapshotId, String yaml, String actor) {
        DeploymentRow from = require(source);
        DeploymentKey key = new DeploymentKey(source.namespace(), newName);
        PipelineSpec sourceSpec = VersionSpecs.read(store.versions().find(source, from.specVersion).orElseThrow());
        String location;
        String describe;
        if (snapshotId != null) {
            SnapshotRow snapshot = store.snapshots().find(snapshotId)
                    .filter(s -> s.namespace.equals(source.namespace()) && s.name.equals(source.name()))
                    .orElseThrow(() -> new NotFoundException("snapshot " + snapshotId + " of " + source + " not found"));
            if (!SnapshotState.COMPLETED.wire().equals(snapshot.state)) {
                throw new ConflictException("snapshot " + snapshotId + " is " + snapshot.state + ", not completed");
            }
            location = snapshot.location;
            describe = "snapshot " + snapshotId;
        } else {
            RestorePoints.RestorePoint newest = restorePoints.newest(from, sourceSpec)
                    .orElseThrow(() -> new ConflictException(source + " has no completed snapshot or retained "
                            + "checkpoint to fork from"));
            location = newest.location();
            describe = newest.describe();
        }
        String document = yaml != null && !yaml.isBlank() ? yaml : Json.yaml(new PipelineDocument(
                PipelineDocument.API_VERSION, PipelineDocument.KIND,
                new Metadata(newName, source.namespace(), Json.readLabels(from.labels)), sourceSpec));
        SpecParser.Parsed parsed = parser.parse(document);
        if (!parsed.document().metadata().name().equals(newName)) {
            throw new InvalidSpecException(parsed.locations().error("metadata.name", "the fork is named " + newName
                    + " (--as), the document names " + parsed.document().metadata().name()));
        }
        return apply(document, source.namespace(), actor, new ForkOrigin(source, location, describe));
    }

    /**
     * Runs a deployment at another parallelism: a new version that is the wanted spec with only its parallelism
     * changed (a rescale through a savepoint, checked before like any upgrade). The desired state stays as it is.
     */
    public ApplyResult scale(DeploymentKey key, int parallelism, String actor) {
        if (parallelism < 1 || parallelism > PipelineSpec.MAX_PARALLELISM) {
            throw new InvalidSpecException(new SpecError("parallelism", 0, 0,
                    "must be a whole number from 1 to " + PipelineSpec.MAX_PARALLELISM + ", got " + parallelism));
        }
        DeploymentRow row = require(key);
        PipelineSpec wanted = VersionSpecs.read(store.versions().find(key, row.specVersion).orElseThrow());
        PipelineSpec scaled = wanted.withParallelism(parallelism).withState(row.desiredState);
        String document = Json.yaml(new PipelineDocument(PipelineDocument.API_VERSION, PipelineDocument.KIND,
                new Metadata(key.name(), key.namespace(), Json.readLabels(row.labels)), scaled));
        return apply(document, key.namespace(), actor, null);
    }

    /**
     * Applies every pipeline of a file of one or more YAML documents as a set: all are read, compiled and checked
     * first, and if any is refused nothing is applied (each error naming its document); else all are written in one
     * transaction. A file of one document answers as {@link #apply(String, String, String)} does.
     */
    public List<ApplyResult> applyAll(String yaml, String namespace, String actor) {
        List<SpecParser.Parsed> all = parser.parseAll(yaml);
        if (all.size() == 1) {
            return List.of(apply(all.get(0), namespace, actor, null));
        }
        Map<DeploymentKey, Integer> seen = new java.util.HashMap<>();
        List<SpecError> twice = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            DeploymentKey key = keyOf(all.get(i), namespace);
            Integer first = seen.putIfAbsent(key, i);
            if (first != null) {
                twice.add(all.get(i).locations().error("metadata.name", "deployment " + key + " is also document "
                        + all.get(first).number() + "; a file names each deployment once")
                        .inDocument(all.get(i).number()));
            }
        }
        if (!twice.isEmpty()) {
            throw new InvalidSpecException(twice);
        }
        List<DeploymentKey> keys = all.stream().map(p -> keyOf(p, namespace)).sorted(
                java.util.Comparator.comparing(DeploymentKey::namespace).thenComparing(DeploymentKey::name)).toList();
        List<ApplyResult> results = withLocks(keys, 0, () -> {
            List<Prepared> prepared = new ArrayList<>();
            List<SpecError> errors = new ArrayList<>();
            for (SpecParser.Parsed parsed : all) {
                try {
                    prepared.add(prepare(parsed, namespace, null));
                } catch (InvalidSpecException e) {
                    e.errors().forEach(error -> errors.add(error.inDocument(parsed.number())));
                } catch (ConflictException e) {
                    throw new ConflictException("document " + parsed.number() + ": " + e.getMessage());
                }
            }
            if (!errors.isEmpty()) {
                throw new InvalidSpecException(errors);
            }
            List<ApplyResult> written = new ArrayList<>();
            store.inTransaction(h -> prepared.forEach(p -> written.add(write(h, p, actor))));
            return written;
        });
        results.forEach(r -> reconciler.wake(r.key()));
        return results;
    }

    private <T> T withLocks(List<DeploymentKey> sorted, int from, Supplier<T> work) {
        return from == sorted.size() ? work.get() : locks.with(sorted.get(from), () -> withLocks(sorted, from + 1, work));
    }

    private static DeploymentKey keyOf(SpecParser.Parsed parsed, String namespace) {
        PipelineDocument doc = parsed.document();
        String ns = parsed.locations().has("metadata.namespace") ? doc.metadata().namespace() : namespace;
        return new DeploymentKey(ns, doc.metadata().name());
    }

    private ApplyResult apply(String yaml, String namespace, String actor, ForkOrigin fork) {
        return apply(parser.parse(yaml), namespace, actor, fork);
    }

    private ApplyResult apply(SpecParser.Parsed parsed, String namespace, String actor, ForkOrigin fork) {
        DeploymentKey key = keyOf(parsed, namespace);
        ApplyResult result = locks.with(key, () -> {
            Prepared prepared = prepare(parsed, namespace, fork);
            if (prepared.unchanged() != null) {
                return prepared.unchanged();
            }
            ApplyResult[] written = new ApplyResult[1];
            store.inTransaction(h -> written[0] = write(h, prepared, actor));
            return written[0];
        });
        reconciler.wake(key);
        return result;
    }

    /**
     * A checked change, ready to write: the deployment's row as it will be, the spec and its compiled plan (null when
     * only the desired state changes), or, when nothing changes, the answer alone.
     */
    private record Prepared(DeploymentKey key, DeploymentRow current, DeploymentRow row, PipelineSpec spec,
            boolean sameSpec, CompiledPipeline compiled, ForkOrigin fork, long now, ApplyResult unchanged) {}

    /** Reads, compiles and checks one document against the deployment it names. Writes nothing; call under its lock. */
    private Prepared prepare(SpecParser.Parsed parsed, String namespace, ForkOrigin fork) {
        PipelineDocument doc = parsed.document();
        DeploymentKey key = keyOf(parsed, namespace);
        PipelineSpec spec = doc.spec();
        Engine engine = targets.find(spec.target()).orElseThrow(() -> new InvalidSpecException(parsed.locations()
                .error("spec.target", "unknown target '" + spec.target() + "'; targets: " + targets.names())));
        DeploymentRow current = store.deployments().find(key).orElse(null);
        if (fork != null && current != null) {
            throw new ConflictException("deployment " + key + " exists already; a fork needs a new name");
        }
        VersionRow currentVersion = current == null ? null : store.versions().find(key, current.specVersion).orElseThrow();
        PipelineSpec before = currentVersion == null ? null : Json.read(currentVersion.spec, PipelineSpec.class);
        boolean sameSpec = before != null && SpecDiff.between(before, spec).onlyState();
        String labels = Json.write(doc.metadata().labels());
        if (sameSpec && before.state() == spec.state() && labels.equals(current.labels)) {
            return new Prepared(key, current, current, spec, true, null, fork, 0,
                    new ApplyResult(key, ApplyResult.Outcome.UNCHANGED, current.specVersion));
        }
        CompiledPipeline compiled = sameSpec ? null : compile(engine, spec, parsed);
        if (current != null && !sameSpec) {
            refuseIfStateWouldBeLost(current, before, spec, compiled, engine, parsed);
        }
        if (fork != null) {
            refuseIfLost(engine.checkRestore(compiled, spec.withDefaults().parallelism(),
                    spec.withDefaults().flinkConfiguration(), fork.location()), spec, parsed);
        }
        long now = clock.millis();
        DeploymentRow row = current == null ? newRow(key, now) : current.copy();
        row.labels = labels;
        row.updatedAt = now;
        setDesired(row, spec.state());
        if (fork != null) {
            row.restoreOverride = RestorePin.of(fork.location()); // the fork's first job restores the source's state
            row.hasState = true;
        }
        return new Prepared(key, current, row, spec, sameSpec, compiled, fork, now, null);
    }

    /** Writes a prepared change: the row, a new version when the spec changed, and the events that say so. */
    private ApplyResult write(Tx h, Prepared p, String actor) {
        if (p.unchanged() != null) {
            return p.unchanged();
        }
        DeploymentKey key = p.key();
        DeploymentRow row = p.row();
        PipelineSpec spec = p.spec();
        ForkOrigin fork = p.fork();
        // After a rollback the wanted version is not the newest: a new one takes the next free number.
        row.specVersion = p.sameSpec() ? row.specVersion : store.versions().latest(h, key) + 1;
        if (!p.sameSpec()) {
            row.rollingBack = false;
            if (fork == null && RestorePin.isPinned(row.restoreOverride)) {
                row.restoreOverride = null;
            }
            VersionRow v = new VersionRow();
            v.namespace = key.namespace();
            v.name = key.name();
            v.version = row.specVersion;
            v.spec = Json.write(spec);
            v.planKind = p.compiled().kind();
            v.plan = p.compiled().plan();
            v.createdAt = p.now();
            store.versions().insert(h, v);
        }
        if (p.current() == null) {
            store.deployments().insert(h, row);
            events.normal(h, key, row.specVersion, "Created", "deployment created at version 1, desired state "
                    + spec.state().wire(), actor);
            if (fork != null) {
                events.normal(h, key, 1, "Forked", "forked from " + fork.source() + ", starting from "
                        + fork.describe(), actor);
                events.normal(h, fork.source(), null, "ForkCreated", "forked as " + key + " from "
                        + fork.describe(), actor);
            }
        } else {
            store.deployments().update(h, row);
            events.normal(h, key, row.specVersion, p.sameSpec() ? "DesiredStateChanged" : "VersionCreated",
                    p.sameSpec() ? "desired state " + spec.state().wire()
                            : "version " + row.specVersion + " accepted, desired state " + spec.state().wire(),
                    actor);
        }
        return new ApplyResult(key, p.current() == null ? ApplyResult.Outcome.CREATED : ApplyResult.Outcome.UPDATED,
                row.specVersion);
    }

    private CompiledPipeline compile(Engine engine, PipelineSpec spec, SpecParser.Parsed parsed) {
        try {
            return engine.compile(spec.jar() != null ? spec : withPlaceholders(spec));
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
        return spec.withSql(sql);
    }

    private DeploymentRow newRow(DeploymentKey key, long now) {
        DeploymentRow row = new DeploymentRow();
        row.namespace = key.namespace();
        row.name = key.name();
        row.uid = UUID.randomUUID().toString();
        row.phase = Phase.PENDING;
        row.specVersion = 0;
        row.createdAt = now;
        row.transitionAt = now;
        return row;
    }

    /** A new desired state; a failed or finished deployment asked to run starts over from its newest state. */
    private static void setDesired(DeploymentRow row, DesiredState state) {
        Phase phase = row.phase;
        if (state == DesiredState.RUNNING && row.desiredState != DesiredState.RUNNING
                || state == DesiredState.RUNNING && (phase == Phase.FAILED || phase == Phase.FINISHED)) {
            if (phase.terminal()) {
                row.phase = Phase.PENDING;
                row.error = null;
                row.jobId = phase == Phase.FINISHED || phase == Phase.FAILED ? null : row.jobId;
            }
        }
        row.desiredState = state;
    }

    /** What applying {@code yaml} would change, and what Sluice would do to the running job. Changes nothing. */
    public DiffResult diff(String yaml, String namespace) {
        SpecParser.Parsed parsed = parser.parse(yaml);
        PipelineDocument doc = parsed.document();
        String ns = parsed.locations().has("metadata.namespace") ? doc.metadata().namespace() : namespace;
        DeploymentKey key = new DeploymentKey(ns, doc.metadata().name());
        DeploymentRow row = require(key);
        Engine engine = targets.find(doc.spec().target()).orElseThrow(() -> new InvalidSpecException(parsed.locations()
                .error("spec.target", "unknown target '" + doc.spec().target() + "'; targets: " + targets.names())));
        int base = row.runningVersion == null ? row.specVersion : row.runningVersion;
        PipelineSpec running = VersionSpecs.read(store.versions().find(key, base).orElseThrow());
        SpecDiff diff = SpecDiff.between(running, doc.spec());
        RestoreCheck check = null;
        if (diff.type().compareTo(DiffType.SCALE) >= 0) {
            // A diff of a spec that apply would refuse is refused too.
            CompiledPipeline compiled = compile(engine, doc.spec(), parsed);
            check = stateCheck(row, running, doc.spec(), compiled, engine).orElse(null);
        }
        return new DiffResult(key, base, diff, check);
    }

    /** A diff against the version that runs (or, when nothing runs, the wanted one), with the state check, if any. */
    public record DiffResult(DeploymentKey key, int againstVersion, SpecDiff diff, RestoreCheck stateCheck) {}

    /**
     * The pre-flight state check of an upgrade: can the new plan restore the deployment's newest state? Only for
     * changes that carry state over (a stateful upgrade or a rescale) of a deployment that has state.
     */
    private Optional<RestoreCheck> stateCheck(DeploymentRow row, PipelineSpec running, PipelineSpec wanted,
            CompiledPipeline compiled, Engine engine) {
        UpgradeAction action = SpecDiff.between(running, wanted).action();
        if (action != UpgradeAction.STATEFUL_UPGRADE && action != UpgradeAction.RESCALE
                || wanted.restoreStrategy() == RestoreStrategy.NONE) {
            return Optional.empty();
        }
        return newestChecked(() -> restorePoints.newest(row, wanted.withDefaults())
                .map(RestorePoints.RestorePoint::location), location -> engine.checkRestore(compiled,
                wanted.withDefaults().parallelism(), wanted.withDefaults().flinkConfiguration(), location))
                .map(Map.Entry::getValue);
    }

    /**
     * Checks the newest restore point; when a retained checkpoint is subsumed by Flink between being found and being
     * read (a running job keeps only its newest few), looks for the newest again.
     */
    private static <T> Optional<Map.Entry<String, T>> newestChecked(Supplier<Optional<String>> newest,
            Function<String, T> check) {
        for (int attempt = 1; ; attempt++) {
            Optional<String> location = newest.get();
            if (location.isEmpty()) {
                return Optional.empty();
            }
            try {
                return Optional.of(Map.entry(location.get(), check.apply(location.get())));
            } catch (SnapshotGoneException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Pre-flight of a rollback: the target version must restore the snapshot it would start from. */
    private void refuseIfRollbackCannotRestore(DeploymentRow rolledBack, int target) {
        VersionRow version = store.versions().find(rolledBack.key(), target).orElseThrow();
        PipelineSpec spec = VersionSpecs.read(version);
        Engine engine = targets.get(spec.target());
        if (spec.restoreStrategy() == RestoreStrategy.NONE) {
            return;
        }
        Supplier<Optional<String>> newest = RestorePin.isPinned(rolledBack.restoreOverride)
                ? () -> Optional.of(RestorePin.location(rolledBack.restoreOverride))
                : () -> restorePoints.newest(rolledBack, spec).map(RestorePoints.RestorePoint::location);
        Optional<Map.Entry<String, RestoreCheck>> checked = newestChecked(newest, location -> engine.checkRestore(
                new CompiledPipeline(version.planKind, version.plan), spec.parallelism(), spec.flinkConfiguration(),
                location));
        if (checked.isEmpty()) {
            return;
        }
        RestoreCheck check = checked.get().getValue();
        if (!check.restorable(Boolean.TRUE.equals(spec.allowNonRestoredState()))) {
            List<String> reasons = new ArrayList<>(check.problems());
            check.dropped().forEach(op -> reasons.add("no operator for the state of " + op));
            throw new ConflictException("version " + target + " cannot restore " + checked.get().getKey() + ": "
                    + String.join("; ", reasons));
        }
    }

    private void refuseIfStateWouldBeLost(DeploymentRow current, PipelineSpec running, PipelineSpec wanted,
            CompiledPipeline compiled, Engine engine, SpecParser.Parsed parsed) {
        stateCheck(current, running, wanted, compiled, engine).ifPresent(check -> refuseIfLost(check, wanted, parsed));
    }

    /** Refuses (400, nothing stored) a spec that cannot restore the checked snapshot, naming what would be lost. */
    private static void refuseIfLost(RestoreCheck check, PipelineSpec wanted, SpecParser.Parsed parsed) {
        if (check.restorable(Boolean.TRUE.equals(wanted.allowNonRestoredState()))) {
            return;
        }
        List<SpecError> errors = new ArrayList<>();
        for (String operator : check.dropped()) {
            errors.add(parsed.locations().error("spec.sql", "the new version has no operator for the state of "
                    + operator + " in " + check.snapshot() + "; that state would be lost (set "
                    + "spec.allowNonRestoredState: true to drop it)"));
        }
        for (String problem : check.problems()) {
            errors.add(parsed.locations().error("spec.parallelism", problem));
        }
        throw new InvalidSpecException(errors);
    }

    /**
     * Returns a deployment to a stored version: by default the last stable one. The version restores the newest
     * snapshot it took itself, when there is one.
     */
    public DeploymentRow rollback(DeploymentKey key, Integer toVersion, String actor) {
        DeploymentRow row = locks.with(key, () -> {
            DeploymentRow r = require(key);
            Integer target = toVersion != null ? toVersion : r.lastStableVersion;
            if (target == null || target == r.specVersion && toVersion == null) {
                throw new ConflictException("deployment " + key + " has no earlier stable version; name one with "
                        + "--to-version");
            }
            if (store.versions().find(key, target).isEmpty()) {
                throw new InvalidSpecException(new SpecError("toVersion", 0, 0, "deployment " + key
                        + " has no version " + target));
            }
            if (target == r.specVersion) {
                throw new ConflictException("deployment " + key + " is at version " + target + " already");
            }
            int from = r.specVersion;
            RestorePin.beginRollback(store, r, target);
            refuseIfRollbackCannotRestore(r, target);
            r.updatedAt = clock.millis();
            store.inTransaction(h -> {
                store.deployments().update(h, r);
                events.normal(h, key, target, "RollbackRequested", "rollback from version " + from + " to version "
                        + target + (RestorePin.isPinned(r.restoreOverride)
                        ? " from " + RestorePin.location(r.restoreOverride) : " carrying the current state over"),
                        actor);
            });
            return r;
        });
        reconciler.wake(key);
        return row;
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
                store.deployments().update(h, r);
                events.normal(h, key, r.specVersion, "DesiredStateChanged", "desired state " + state.wire(), actor);
            });
            return r;
        });
        reconciler.wake(key);
        return row;
    }

    /** Cancels the job if one runs and forgets the deployment (its snapshot files stay in storage). */
    public DeploymentRow delete(DeploymentKey key, String actor) {
        return locks.with(key, () -> {
            DeploymentRow row = require(key);
            if (row.jobId != null) {
                // The job belongs to the running version, whose target may differ from the newest version's.
                int running = row.runningVersion == null ? row.specVersion : row.runningVersion;
                VersionRow v = store.versions().find(key, running).orElseThrow();
                Engine engine = targets.get(VersionSpecs.read(v).target());
                // A job that ended (a bounded one finished) needs no cancel, which Flink would log as an error; one
                // on a target that does not answer is cancelled all the same, so the delete fails rather than orphans it.
                JobObservation.JobState state = engine.observe(row.jobId).state();
                if (state.alive() || state == JobObservation.JobState.UNREACHABLE) {
                    engine.cancel(row.jobId);
                }
            }
            store.inTransaction(h -> store.deployments().delete(h, key));
            return row;
        });
    }

    /** Asks for a savepoint of the running job; the reconciler takes it. */
    public SnapshotRow snapshot(DeploymentKey key, String actor) {
        SnapshotRow snapshot = locks.with(key, () -> {
            DeploymentRow row = require(key);
            if (row.phase != Phase.RUNNING || row.jobId == null) {
                throw new ConflictException("deployment " + key + " is " + row.phase.wire()
                        + "; a snapshot needs a running job");
            }
            if (row.pendingSnapshot != null) {
                throw new ConflictException("deployment " + key + " is already taking snapshot " + row.pendingSnapshot);
            }
            SnapshotRow s = SnapshotSteps.inProgress(row, SnapshotOrigin.USER, layout, clock.millis());
            store.inTransaction(h -> {
                store.snapshots().insert(h, s);
                store.deployments().update(h, row);
                events.normal(h, key, row.runningVersion, "SnapshotRequested", "snapshot " + s.id + " requested", actor);
            });
            return s;
        });
        reconciler.wake(key);
        return snapshot;
    }

    public DeploymentRow require(DeploymentKey key) {
        return store.deployments().find(key).orElseThrow(() -> new NotFoundException(
                "deployment " + key.name() + " not found in namespace " + key.namespace()));
    }
}
