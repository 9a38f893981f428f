package dev.sluice.control.store;

import java.util.function.Consumer;

/**
 * The metadata store port: one repository per resource (deployments, their versions, snapshots, events), transactions
 * that span them, and the owner lock that makes one control plane the only writer. Every write is durable when the
 * call returns, so intent written before an action survives a crash. {@link SqlStore} is the adapter for H2 and
 * PostgreSQL.
 */
public interface Store extends AutoCloseable {

    DeploymentRepository deployments();

    VersionRepository versions();

    SnapshotRepository snapshots();

    EventRepository events();

    /** Runs several writes, of any repositories, as one transaction. */
    void inTransaction(Consumer<Tx> work);

    /**
     * Makes this process the only control plane on a shared database until {@link #close}.
     *
     * @throws IllegalStateException when another process holds it
     */
    void lockAsOwner();

    /**
     * Checks, before the control plane acts, that this process still owns the store; a lock lost with its connection
     * is taken again unless another server took it meanwhile.
     *
     * @return true when the lock had been lost and was taken again
     * @throws IllegalStateException when another process holds the lock now, or the store cannot be reached
     */
    boolean confirmOwner();

    @Override
    void close();
}
