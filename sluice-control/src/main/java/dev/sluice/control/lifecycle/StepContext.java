package dev.sluice.control.lifecycle;

import dev.sluice.control.snapshots.SnapshotStore;
import dev.sluice.control.snapshots.SnapshotLayout;
import dev.sluice.control.engine.Engine;
import dev.sluice.control.engine.JobObservation;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.Store;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What steps act with: the store, the engines, events, the clock, and the reconciler's memory of jobs. */
final class StepContext {
    static final String ACTOR = DeploymentWriter.ACTOR;
    final Store store;
    final Events events;
    final Clock clock;
    final FaultPoints faults;
    final SnapshotLayout layout;
    final SnapshotStore snapshotStore;
    final DeploymentWriter writer;
    final SnapshotSteps snapshots;
    final Targets targets;
    final Observer observer;
    /** Jobs this process has seen alive: one of them vanishing is a loss, whatever the target. */
    final Set<String> observedAlive = ConcurrentHashMap.newKeySet();
    /** Job ids submitted without an answer from the target: the next start submits them again under the same id. */
    final Set<String> uncertainSubmissions = ConcurrentHashMap.newKeySet();

    StepContext(Store store, Events events, Clock clock, FaultPoints faults, SnapshotStore snapshotStore,
            Targets targets) {
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.faults = faults;
        this.snapshotStore = snapshotStore;
        this.layout = snapshotStore.layout();
        this.targets = targets;
        this.writer = new DeploymentWriter(store, events, clock);
        this.snapshots = new SnapshotSteps(store, events, clock, faults, snapshotStore, writer);
        this.observer = new Observer(this, new RestorePoints(store, snapshotStore));
    }

    Engine engine(String target) {
        return targets.get(target);
    }

    /** A fresh observation of {@code row}, keeping {@code job} as the engine's report (no call to the engine). */
    Observation reobserve(DeploymentRow row, JobObservation job) {
        return observer.observe(row, job);
    }
}
