package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.VersionRow;
import dev.sluice.model.PipelineSpec;
import java.util.Objects;
import java.util.Optional;

/** The observe part of a pass: the stored row and versions, the targets, and the engine's report of the job. */
final class Observer {
    private final StepContext ctx;
    private final RestorePoints restorePoints;
    private final java.util.Map<String, PipelineSpec> specs = new java.util.concurrent.ConcurrentHashMap<>();

    Observer(StepContext ctx, RestorePoints restorePoints) {
        this.ctx = ctx;
        this.restorePoints = restorePoints;
    }

    /** Reads the deployment's versions and asks the engine about its job (unless a target it needs is missing). */
    Observation observe(DeploymentRow row) {
        return observe(row, null);
    }

    /** As {@link #observe(DeploymentRow)}, with the engine's report already known ({@code job}, when not null). */
    Observation observe(DeploymentRow stored, JobObservation known) {
        DeploymentRow row = stored.copy();
        Where where = where(row);
        PipelineSpec wanted = where.wanted();
        String current = where.current();
        String missing = where.missing();
        JobObservation job = known != null ? known : observeJob(row, missing == null ? current : null);
        boolean unsaved = false;
        if (job.recordsIn() != null || job.recordsOut() != null) {
            unsaved = !Objects.equals(row.recordsIn, job.recordsIn()) || !Objects.equals(row.recordsOut, job.recordsOut());
            row.recordsIn = job.recordsIn(); // written with the pass's next write
            row.recordsOut = job.recordsOut();
        }
        boolean usable = missing == null;
        Observation.Lazy<Optional<RetainedSnapshot>> checkpoint = Observation.Lazy.of(() ->
                ctx.snapshotStore.newestCheckpoint(ctx.layout.retainedCheckpointDirectory(row.key(), row.uid)));
        Observation.Lazy<Optional<RestorePoints.RestorePoint>> restore =
                Observation.Lazy.of(() -> restorePoints.newest(row, wanted));
        return new Observation(
                DeploymentView.of(row),
                wanted,
                Observation.Lazy.of(() -> plan(row)),
                where.running(),
                wanted.target(),
                current,
                missing,
                ctx.targets.names().toString(),
                job,
                ctx.clock.millis(),
                row.jobId != null && ctx.observedAlive.contains(row.jobId),
                row.jobId != null && ctx.uncertainSubmissions.contains(row.jobId),
                usable && ctx.engine(current).stopsWithControlPlane(),
                unsaved,
                checkpoint,
                restore,
                Observation.Lazy.of(() -> ctx.snapshots.periodicSavepointDue(row, wanted)));
    }

    /**
     * The engine's report of the row's job, asked ahead of the pass's decisions (several at once); null when there is
     * no job to ask about or its target is not configured.
     */
    JobObservation prefetch(DeploymentRow row) {
        if (row.jobId == null) {
            return null;
        }
        Where where = where(row);
        return where.missing() != null ? null : observeJob(row, where.current());
    }

    /**
     * The specs of the wanted and the running version (null while none has run), the target the job runs on (the
     * running version's, which may be another than the wanted one's), and a target the deployment needs that is not
     * configured (null when none is missing).
     */
    private record Where(PipelineSpec wanted, PipelineSpec running, String current, String missing) {}

    private Where where(DeploymentRow row) {
        PipelineSpec wanted = spec(row, row.specVersion);
        PipelineSpec running = row.runningVersion == null ? null
                : row.runningVersion == row.specVersion ? wanted : spec(row, row.runningVersion);
        String runningTarget = running == null ? null : running.target();
        boolean runningTargetKnown = runningTarget != null && ctx.targets.find(runningTarget).isPresent();
        // Looking for the job elsewhere than where it runs could start a second one: a missing target stops the pass.
        String missing = ctx.targets.find(wanted.target()).isEmpty() ? wanted.target()
                : runningTarget != null && row.jobId != null && !runningTargetKnown ? runningTarget
                : null;
        return new Where(wanted, running, runningTargetKnown ? runningTarget : wanted.target(), missing);
    }

    /**
     * A version's spec, read once: versions never change once written (the cache is keyed by the deployment's uid, so
     * a deployment deleted and applied again under its name reads its own).
     */
    private PipelineSpec spec(DeploymentRow row, int version) {
        return specs.computeIfAbsent(row.uid + ":" + version,
                k -> VersionSpecs.read(ctx.store.versions().find(row.key(), version).orElseThrow()));
    }

    /** Forgets the specs of deployments not in {@code uids} (deleted ones). */
    void retain(java.util.Set<String> uids) {
        specs.keySet().removeIf(k -> !uids.contains(k.substring(0, k.lastIndexOf(':'))));
    }

    int cachedSpecs() {
        return specs.size();
    }

    /** The compiled plan of the wanted version: read only to submit a job. */
    private CompiledPipeline plan(DeploymentRow row) {
        VersionRow version = ctx.store.versions().find(row.key(), row.specVersion).orElseThrow();
        return new CompiledPipeline(version.planKind, version.plan);
    }

    private JobObservation observeJob(DeploymentRow row, String target) {
        if (row.jobId == null || target == null) {
            return JobObservation.notFound();
        }
        JobObservation job = ctx.engine(target).observe(row.jobId);
        if (job.state().alive()) {
            ctx.observedAlive.add(row.jobId);
        } else if (job.state() != JobState.NOT_FOUND && job.state() != JobState.UNREACHABLE) {
            ctx.observedAlive.remove(row.jobId); // ended; only a job that vanishes is looked up later
        }
        return job;
    }
}
