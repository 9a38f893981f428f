package dev.sluice.control.lifecycle;

import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.Store;
import dev.sluice.model.Phase;
import java.time.Clock;
import java.util.Objects;

/** Writes a deployment row back, recording an event for each phase change in the same transaction. */
final class DeploymentWriter {
    static final String ACTOR = "reconciler";
    private final Store store;
    private final Events events;
    private final Clock clock;

    DeploymentWriter(Store store, Events events, Clock clock) {
        this.store = store;
        this.events = events;
        this.clock = clock;
    }

    void transition(DeploymentRow row, Phase phase, String error) {
        Phase before = row.phase;
        boolean changed = before != phase || !Objects.equals(row.error, error == null ? row.error : error);
        row.phase = phase;
        if (error != null) {
            row.error = error;
        }
        row.updatedAt = clock.millis();
        if (before != phase) {
            row.transitionAt = clock.millis();
        }
        if (!changed) {
            save(row);
            return;
        }
        store.inTransaction(h -> {
            store.deployments().update(h, row);
            String message = before.wire() + " -> " + phase.wire() + (error == null ? "" : ": " + error);
            if (phase == Phase.FAILED) {
                events.warning(h, row.key(), row.runningVersion, "Failed", message, ACTOR);
            } else {
                events.normal(h, row.key(), row.runningVersion, "Phase", message, ACTOR);
            }
        });
    }

    /** Writes the row and an event about it in one transaction. */
    void record(DeploymentRow row, boolean warning, Integer version, String reason, String message) {
        row.updatedAt = clock.millis();
        store.inTransaction(h -> {
            store.deployments().update(h, row);
            if (warning) {
                events.warning(h, row.key(), version, reason, message, ACTOR);
            } else {
                events.normal(h, row.key(), version, reason, message, ACTOR);
            }
        });
    }

    void save(DeploymentRow row) {
        row.updatedAt = clock.millis();
        store.deployments().update(row);
    }
}
