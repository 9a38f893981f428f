package dev.sluice.control.lifecycle;

import dev.sluice.control.store.DeploymentRow;

/**
 * One thing a reconcile pass does to a deployment, as decided by {@link Decisions#next}: a value that says what (the
 * decision table tests compare them), and one method that does it. A step that acts on the engine writes its intent
 * first; each records its result once (the row and its event in one transaction).
 */
sealed interface Step permits Steps.Wait, Steps.NoteMissingTarget, Steps.NoteUnreachable, Steps.ClearTargetError,
        Steps.ResolvePendingSnapshot, Steps.CountRestart, Steps.RunInPlace, Steps.StopOldJob,
        Steps.UpgradeThroughSavepoint, Steps.RefuseUpgrade, Steps.DropStalePin, Steps.MarkStable,
        Steps.NotReady, Steps.BeginRollback, Steps.Transition, Steps.MarkStateful, Steps.RequestPeriodicSnapshot,
        Steps.TakeSnapshot, Steps.StartJob, Steps.RefuseEmptyStart, Steps.StopForSuspend, Steps.Stop,
        Steps.ApplyRetention {

    Outcome act(StepContext ctx, Observation o);

    /**
     * What a step leaves: the row as written, and whether the pass decides again (on a fresh look at the engine when
     * the step changed the job).
     */
    record Outcome(DeploymentRow row, boolean decideAgain, boolean observeEngine) {
        /** The pass is done with this deployment. */
        static Outcome done(DeploymentRow row) {
            return new Outcome(row, false, false);
        }

        /** Only the row changed: decide again on the same look at the engine. */
        static Outcome next(DeploymentRow row) {
            return new Outcome(row, true, false);
        }

        /** The job changed (stopped, cancelled): look at the engine again, then decide. */
        static Outcome observeAgain(DeploymentRow row) {
            return new Outcome(row, true, true);
        }
    }
}
