package dev.sluice.server;

import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.EventRow;
import dev.sluice.control.store.SnapshotRow;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.VersionRow;
import dev.sluice.model.Deployment;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.DeploymentVersion;
import dev.sluice.model.Event;
import dev.sluice.model.Json;
import dev.sluice.model.ObjectMeta;
import dev.sluice.model.Phase;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.Snapshot;
import dev.sluice.model.SnapshotOrigin;
import dev.sluice.model.SnapshotState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import dev.sluice.model.DeploymentKey;

/** Turns stored rows into the resources the API returns. */
final class Resources {
    private final Store store;
    /**
     * Parsed specs of versions, by deployment uid and version: a version never changes once written, and a list of
     * thousands of deployments parsed each one on every GET.
     */
    private final Map<String, PipelineSpec> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    Resources(Store store) {
        this.store = store;
    }

    Deployment deployment(DeploymentRow row) {
        return deployment(row, store.versions().find(row.key(), row.specVersion).map(v -> v.spec).orElse(null));
    }

    /** The deployments of {@code rows}, their specs read in one go. */
    List<Deployment> deployments(List<DeploymentRow> rows, String namespace) {
        Map<DeploymentKey, String> specs = store.versions().wantedSpecs(namespace);
        if (parsed.size() > 4 * rows.size() + 1000) {
            parsed.clear(); // of deleted deployments, mostly
        }
        return rows.stream().map(row -> {
            String json = specs.get(row.key());
            PipelineSpec spec = json == null ? null
                    : parsed.computeIfAbsent(row.uid + ":" + row.specVersion, k -> Json.read(json, PipelineSpec.class));
            return deployment(row, spec);
        }).toList();
    }

    private static Deployment deployment(DeploymentRow row, String specJson) {
        return deployment(row, specJson == null ? null : Json.read(specJson, PipelineSpec.class));
    }

    private static Deployment deployment(DeploymentRow row, PipelineSpec spec) {
        Map<String, String> labels = Json.readLabels(row.labels);
        ObjectMeta meta = new ObjectMeta(row.name, row.namespace, labels, Instant.ofEpochMilli(row.createdAt),
                Instant.ofEpochMilli(row.updatedAt));
        DeploymentStatus status = new DeploymentStatus(row.phase, row.runningVersion, row.jobId,
                row.error, row.restoredFrom, row.recordsIn, row.recordsOut, Instant.ofEpochMilli(row.transitionAt),
                row.restarts);
        return Deployment.of(meta, spec, status);
    }

    static DeploymentVersion version(VersionRow row) {
        return new DeploymentVersion(row.namespace, row.name, row.version, Json.read(row.spec, PipelineSpec.class),
                Instant.ofEpochMilli(row.createdAt));
    }

    static Snapshot snapshot(SnapshotRow row) {
        return new Snapshot(row.id, row.namespace, row.name, row.version, SnapshotOrigin.parse(row.origin),
                SnapshotState.parse(row.state), row.location, row.sizeBytes, row.jobId, row.error,
                Instant.ofEpochMilli(row.createdAt), row.completedAt == null ? null : Instant.ofEpochMilli(row.completedAt));
    }

    static Event event(EventRow row) {
        return new Event(row.id, row.namespace, row.name, row.version,
                "warning".equals(row.type) ? Event.Type.WARNING : Event.Type.NORMAL, row.reason, row.message, row.actor,
                Instant.ofEpochMilli(row.time));
    }
}
