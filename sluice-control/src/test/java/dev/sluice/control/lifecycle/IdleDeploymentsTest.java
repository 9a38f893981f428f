package dev.sluice.control.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.model.DesiredState;
import dev.sluice.model.Phase;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The loop looks at an idle deployment (its job runs as wanted) every few seconds, not every pass: with thousands of
 * deployments the engine would be asked about each every second. One the API changed and one being changed are
 * looked at every pass.
 */
class IdleDeploymentsTest extends LifecycleFixture {

    @Test
    void theLoopAsksTheEngineAboutAnIdleDeploymentOnceInAWhileAndAtOnceWhenTheApiChangedIt() {
        stableAndRunning();
        AtomicInteger passes = new AtomicInteger();
        reconciler.onPass(pass -> passes.incrementAndGet());
        int before = engine.observeCalls();
        reconciler.start(Duration.ofMillis(10));
        await().atMost(Duration.ofSeconds(3)).until(() -> passes.get() >= 30);
        // The last look was the test's own pass, just now.
        assertThat(engine.observeCalls() - before).as("not looked at again in 30 passes").isZero();

        int woken = passes.get();
        reconciler.wake(KEY);
        await().atMost(Duration.ofSeconds(3)).until(() -> passes.get() >= woken + 2);
        assertThat(engine.observeCalls() - before).as("looked at after the API changed it").isEqualTo(1);
    }

    @Test
    void aJobThatFailsIsSeenBeforeTheIdleIntervalEnds() {
        String jobId = stableAndRunning();
        reconciler.start(Duration.ofMillis(10));
        engine.failJob(jobId, "boom");
        await().atMost(Reconciler.IDLE_LOOK_EVERY.plusSeconds(3)).until(() -> row().phase == Phase.FAILED);
    }

    @Test
    void idleMeansNothingIsUnderWay() {
        DeploymentRow row = new DeploymentRow();
        row.desiredState = DesiredState.RUNNING;
        row.phase = Phase.RUNNING;
        row.specVersion = 2;
        row.runningVersion = 2;
        assertThat(Reconciler.idle(row)).isTrue();
        row.versionStartedAt = 1L; // in its readiness window: watched at the idle pace too
        assertThat(Reconciler.idle(row)).isTrue();
        row.versionStartedAt = null;
        row.runningVersion = 1; // an upgrade waits
        assertThat(Reconciler.idle(row)).isFalse();
        row.runningVersion = 2;
        row.pendingSnapshot = "s1";
        assertThat(Reconciler.idle(row)).isFalse();
        row.pendingSnapshot = null;
        row.phase = Phase.FAILING;
        assertThat(Reconciler.idle(row)).isFalse();
        row.phase = Phase.STARTING;
        assertThat(Reconciler.idle(row)).isFalse();
        row.phase = Phase.RUNNING;
        row.desiredState = DesiredState.SUSPENDED; // to be suspended
        assertThat(Reconciler.idle(row)).isFalse();
        row.phase = Phase.SUSPENDED;
        assertThat(Reconciler.idle(row)).isTrue();
        row.desiredState = DesiredState.CANCELLED;
        assertThat(Reconciler.idle(row)).isFalse();
        row.phase = Phase.CANCELLED;
        assertThat(Reconciler.idle(row)).isTrue();
    }

    /** Running past its readiness window, so nothing is under way. */
    private String stableAndRunning() {
        String jobId = running();
        clock.advance(Duration.ofMinutes(2));
        reconciler.pass();
        assertThat(row().versionStartedAt).isNull();
        assertThat(engine.jobState(jobId)).isEqualTo(JobState.RUNNING);
        return jobId;
    }
}
