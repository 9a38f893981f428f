package dev.sluice.control.lifecycle;

import dev.sluice.model.DeploymentKey;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** One lock per deployment: an API change and a reconcile step of the same deployment never interleave. */
public final class DeploymentLocks {
    private final ConcurrentHashMap<DeploymentKey, ReentrantLock> locks = new ConcurrentHashMap<>();

    public <T> T with(DeploymentKey key, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
