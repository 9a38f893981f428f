package dev.sluice.control.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.ManualClock;
import dev.sluice.control.engine.TestingEngine;
import dev.sluice.control.snapshots.TestingSnapshots;
import dev.sluice.control.store.PostgresDatabases;
import dev.sluice.control.store.SqlStore;
import dev.sluice.control.store.Store;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A control plane on PostgreSQL acts only while it holds the database's owner lock: when its session ends and another
 * server takes the lock meanwhile, its passes do nothing (and say why) until the lock is its own again.
 */
class ReconcilerOwnershipTest {
    @RegisterExtension
    static final PostgresDatabases postgres = PostgresDatabases.perClass();

    @Test
    void passesDoNothingWhileAnotherServerOwnsTheStore() {
        String database = postgres.createDatabase();
        String url = postgres.url(database);
        ManualClock clock = new ManualClock(Instant.parse("2025-03-01T12:00:00Z"));
        TestingSnapshots snapshots = new TestingSnapshots(LifecycleFixture.LAYOUT);
        TestingEngine engine = new TestingEngine(clock, snapshots);
        Targets targets = new Targets(List.of(engine));
        DeploymentLocks locks = new DeploymentLocks();
        try (Store store = SqlStore.postgresOwned(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD);
                Store wakeStore = LifecycleFixture.emptyStore();
                Reconciler wakeOnly = new Reconciler(wakeStore, targets, snapshots,
                        new Events(wakeStore, clock), locks, clock);
                Reconciler reconciler = new Reconciler(store, targets, snapshots, new Events(store, clock),
                        locks, clock)) {
            DeploymentService service = new DeploymentService(store, targets, snapshots,
                    new Events(store, clock), locks, wakeOnly, Map.of(), clock);
            service.apply(LifecycleFixture.YAML, "default", "alice");

            postgres.endOwnerLockSession(database);
            try (Store other = SqlStore.postgres(url, PostgresDatabases.USER, PostgresDatabases.PASSWORD)) {
                other.lockAsOwner();
                reconciler.pass();
                reconciler.pass();
                assertThat(engine.aliveJobs()).as("nothing submitted while another server owns the store").isEmpty();
                assertThat(store.deployments().find(LifecycleFixture.KEY).orElseThrow().jobId).isNull();
                assertThat(reconciler.ownershipProblem()).contains("another Sluice server uses this metadata database");
            }
            reconciler.pass();
            assertThat(reconciler.ownershipProblem()).isNull();
            assertThat(store.deployments().find(LifecycleFixture.KEY).orElseThrow().jobId).isNotNull();
            assertThat(engine.aliveJobs()).hasSize(1);
        }
        postgres.dropDatabase(database);
    }
}
