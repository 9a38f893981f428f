package dev.sluice.control.lifecycle;

import dev.sluice.control.snapshots.SnapshotStore;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.Store;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.Phase;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import dev.sluice.control.engine.JobObservation;
import java.util.function.Consumer;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives each deployment's observed state toward its desired state. A pass observes each deployment (the store, the
 * engine) into an {@link Observation}, {@link Decisions decides} the next {@link Step} from it, and acts. Every step
 * writes its intent to the store before it acts, so the process can be killed between any two steps: the next pass
 * (after a restart too) reads the intent, observes the engine, and finishes or redoes the step. A stateful deployment
 * is never started from empty state once it had state.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** A bound on the steps of one deployment in one pass (an upgrade takes five); more means a decision loops. */
    private static final int MAX_STEPS = 16;

    private final Store store;
    private final DeploymentLocks locks;
    private final StepContext ctx;
    private final ScheduledThreadPoolExecutor loop = newLoop();
    /** Threads that ask the engines about jobs ahead of a pass's decisions. */
    private final java.util.concurrent.ExecutorService lookers = newLookers();
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    /** How often to look while a deployment is starting, suspending or upgrading. */
    private static final Duration SETTLING_INTERVAL = Duration.ofMillis(200);
    /**
     * How often the loop looks at an idle deployment (its job runs as wanted, in its readiness window too, or nothing
     * is to run): its engine is asked no more often than this. Each look costs the job something (on two cores, a
     * stateless job looked at every second ran 8% slower: bench/nexmark). One being changed, failing or with a
     * snapshot pending is looked at every pass.
     */
    public static final Duration IDLE_LOOK_EVERY = Duration.ofSeconds(5);
    /** How old a look ahead's answer may be when its deployment's turn comes. */
    private static final Duration FRESH_LOOK = Duration.ofSeconds(1);
    /** How many engine calls a pass makes at once while it looks ahead. */
    private static final int LOOKERS = 8;
    /** When each deployment was last reconciled by the loop (System.nanoTime). */
    private final Map<DeploymentKey, Long> lastLook = new ConcurrentHashMap<>();
    /** Deployments the API changed since the loop last looked: reconciled at the next pass, idle or not. */
    private final Set<DeploymentKey> woken = ConcurrentHashMap.newKeySet();
    private volatile Consumer<PassTime> passListener = pass -> { };
    private volatile Duration interval = Duration.ofSeconds(1);
    /** Why the last pass did nothing: the store's owner lock could not be confirmed. */
    private volatile String ownershipProblem;

    public Reconciler(Store store, Targets targets, SnapshotStore snapshots, Events events, DeploymentLocks locks,
            Clock clock) {
        this(store, targets, snapshots, events, locks, clock, FaultPoints.NONE);
    }

    public Reconciler(Store store, Targets targets, SnapshotStore snapshots, Events events, DeploymentLocks locks,
            Clock clock, FaultPoints faults) {
        this.store = store;
        this.locks = locks;
        this.ctx = new StepContext(store, events, clock, faults, snapshots, targets);
    }

    /**
     * Reconciles every {@code interval}, more often while a deployment is between phases, and on every wake-up; the
     * first pass settles what a crash left half done.
     */
    public void start(Duration interval) {
        this.interval = interval;
        loop.execute(this::tick);
    }

    private void tick() {
        boolean settling = passSafely(true);
        Duration next = settling && SETTLING_INTERVAL.compareTo(interval) < 0 ? SETTLING_INTERVAL : interval;
        try {
            loop.schedule(this::tick, next.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing
        }
    }

    private static java.util.concurrent.ExecutorService newLookers() {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(LOOKERS, LOOKERS,
                30, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "sluice-observe-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static ScheduledThreadPoolExecutor newLoop() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sluice-reconciler");
            t.setDaemon(true);
            return t;
        });
        // On close, the pass that runs finishes; the next one, already scheduled, does not start.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        return executor;
    }

    /** Asks for a pass over every deployment soon. */
    public void wake() {
        schedulePass(true);
    }

    /** Asks for a pass soon that reconciles {@code key} (the API changed it), idle or not. */
    public void wake(DeploymentKey key) {
        woken.add(key);
        schedulePass(false);
    }

    private void schedulePass(boolean all) {
        if (all) {
            wakeAll.set(true);
        }
        if (wakeQueued.compareAndSet(false, true)) {
            try {
                loop.execute(() -> {
                    wakeQueued.set(false);
                    passSafely(!wakeAll.getAndSet(false));
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                wakeQueued.set(false); // closing: the next start reconciles
            }
        }
    }

    private final AtomicBoolean wakeAll = new AtomicBoolean();

    /** Reports each pass's time to {@code listener} (the server's metrics). */
    public void onPass(Consumer<PassTime> listener) {
        this.passListener = listener;
    }

    /** One pass: how long it took, over how many deployments, how many of them it reconciled. */
    public record PassTime(Duration took, int deployments, int reconciled) {}

    private boolean passSafely(boolean dueOnly) {
        try {
            return pass(dueOnly);
        } catch (RuntimeException e) {
            LOG.error("reconcile pass failed", e);
            return false;
        }
    }

    /**
     * One pass over all deployments; true when one of them is still between phases. Nothing is done while another
     * control plane owns the store.
     */
    public boolean pass() {
        return pass(false);
    }

    /**
     * A pass; with {@code dueOnly} (the loop's passes), an idle deployment is reconciled only once
     * {@link #IDLE_LOOK_EVERY} has passed since the last look, or when the API changed it.
     */
    private boolean pass(boolean dueOnly) {
        long start = System.nanoTime();
        if (!confirmOwner()) {
            return false;
        }
        boolean settling = false;
        List<DeploymentRow> listed = store.deployments().list(null);
        List<DeploymentRow> due = dueOnly ? listed.stream().filter(row -> due(row, start)).toList() : listed;
        Map<DeploymentKey, Future<Look>> looks = lookAhead(due);
        for (DeploymentRow row : due) {
            DeploymentKey key = row.key();
            woken.remove(key);
            lastLook.put(key, start);
            try {
                JobObservation looked = awaitLook(looks.get(key));
                settling |= locks.with(key, () -> store.deployments().find(key)
                        .map(r -> !reconcile(r, sameJob(row, r) ? looked : null).settled())
                        .orElse(false));
            } catch (RuntimeException e) {
                LOG.error("[{}] reconcile failed", key, e);
            }
        }
        if (lastLook.size() > listed.size()) {
            lastLook.keySet().retainAll(listed.stream().map(DeploymentRow::key).toList());
        }
        if (ctx.observer.cachedSpecs() > 4 * listed.size() + 100) {
            ctx.observer.retain(listed.stream().map(r -> r.uid).collect(java.util.stream.Collectors.toSet()));
        }
        passListener.accept(new PassTime(Duration.ofNanos(System.nanoTime() - start), listed.size(), due.size()));
        return settling;
    }

    /**
     * Asks the engines about the jobs of the deployments a pass will reconcile, several at a time, so that a pass over
     * thousands of deployments does not wait for each answer in turn. What is asked is only read; every decision is
     * made later, one deployment at a time, under its lock.
     */
    private Map<DeploymentKey, Future<Look>> lookAhead(List<DeploymentRow> due) {
        Map<DeploymentKey, Future<Look>> looks = new java.util.HashMap<>();
        if (due.size() < 2) {
            return looks;
        }
        for (DeploymentRow row : due) {
            if (row.jobId != null) {
                try {
                    looks.put(row.key(), lookers.submit(() -> new Look(ctx.observer.prefetch(row), System.nanoTime())));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    return looks; // closing
                }
            }
        }
        return looks;
    }

    /** What the engine said of a job, and when (System.nanoTime). */
    private record Look(JobObservation job, long at) {}

    /**
     * The look ahead's answer, if it is fresh: decisions compare it with the clock (a readiness window, a restart's
     * age), so one older than {@link #FRESH_LOOK} (the pass spent long on deployments before) is asked again.
     */
    private static JobObservation awaitLook(Future<Look> future) {
        if (future == null) {
            return null;
        }
        try {
            Look look = future.get();
            return System.nanoTime() - look.at() > FRESH_LOOK.toNanos() ? null : look.job();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            return null; // looked at again under the lock
        }
    }

    /** The row read under the lock still names the job the look ahead asked about. */
    private static boolean sameJob(DeploymentRow listed, DeploymentRow current) {
        return listed.jobId != null && listed.jobId.equals(current.jobId)
                && java.util.Objects.equals(listed.runningVersion, current.runningVersion);
    }

    private boolean due(DeploymentRow row, long now) {
        Long last = lastLook.get(row.key());
        return last == null || woken.contains(row.key()) || !idle(row) || now - last >= IDLE_LOOK_EVERY.toNanos();
    }

    /**
     * Nothing is under way: the job runs as wanted (not failing, no snapshot pending; a version in its readiness
     * window included: a failure or too many restarts is seen within a look), or the deployment rests where it was
     * asked to.
     */
    static boolean idle(DeploymentRow row) {
        if (!row.phase.settled() || row.phase == Phase.FAILING || row.pendingSnapshot != null
                || row.runningVersion != null && row.runningVersion != row.specVersion) {
            return false;
        }
        return switch (row.desiredState) {
            case RUNNING -> row.phase == Phase.RUNNING || row.phase == Phase.FAILED || row.phase == Phase.FINISHED;
            case SUSPENDED -> row.phase == Phase.SUSPENDED;
            case CANCELLED -> row.phase == Phase.CANCELLED;
        };
    }

    /** Why passes do nothing now (another server owns the store, or it cannot be reached), or null. */
    public String ownershipProblem() {
        return ownershipProblem;
    }

    /** False, with one error logged until it changes, while this process cannot confirm it owns the store. */
    private boolean confirmOwner() {
        try {
            if (store.confirmOwner()) {
                LOG.warn("the connection holding the metadata store's owner lock was lost; the lock is taken again");
            }
        } catch (IllegalStateException e) {
            // Logged when the kind of problem changes, not at every pass (driver messages carry timings).
            if (ownershipProblem == null || !kind(e.getMessage()).equals(kind(ownershipProblem))) {
                LOG.error("not reconciling: {}", e.getMessage());
            }
            ownershipProblem = e.getMessage();
            return false;
        }
        if (ownershipProblem != null) {
            LOG.info("reconciling again: this server owns the metadata store");
            ownershipProblem = null;
        }
        return true;
    }

    private static String kind(String problem) {
        int colon = problem.indexOf(':');
        return colon < 0 ? problem : problem.substring(0, colon);
    }

    /**
     * One deployment: observe, decide, act, and again on what the step wrote (a fresh look at the engine when the step
     * changed the job) until a step ends the pass; then retention. Returns the phase it leaves.
     */
    private Phase reconcile(DeploymentRow stored, JobObservation looked) {
        Observation o = ctx.observer.observe(stored, looked);
        DeploymentRow row = stored;
        for (int steps = 0; ; steps++) {
            if (steps == MAX_STEPS) {
                LOG.warn("[{}] still deciding after {} steps in one pass; going on in the next", row.key(), steps);
                break;
            }
            Step step = Decisions.next(o);
            Step.Outcome outcome = step.act(ctx, o);
            row = outcome.row();
            if (!outcome.decideAgain()) {
                break;
            }
            o = ctx.observer.observe(row, outcome.observeEngine() ? null : o.job());
        }
        if (Decisions.retention(o).isPresent()) {
            Observation last = ctx.observer.observe(row, o.job());
            Decisions.retention(last).ifPresent(step -> step.act(ctx, last));
        }
        return row.phase;
    }

    @Override
    public void close() {
        // Let a running pass finish: interrupting it mid-write would close the store's files under it (H2 closes its
        // file channel on interrupt). Only a pass stuck for long is interrupted.
        loop.shutdown();
        try {
            if (!loop.awaitTermination(30, TimeUnit.SECONDS)) {
                loop.shutdownNow();
                loop.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            loop.shutdownNow();
            Thread.currentThread().interrupt();
        }
        lookers.shutdownNow();
    }
}
