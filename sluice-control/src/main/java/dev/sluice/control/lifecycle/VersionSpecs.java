package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.Engine;
import dev.sluice.control.store.DeploymentRow;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.VersionRow;
import dev.sluice.model.Json;
import dev.sluice.model.PipelineSpec;
import java.util.Optional;

/** Reads stored versions: their specs (with today's defaults) and the engine of the target each runs on. */
final class VersionSpecs {
    private final Store store;
    private final Targets targets;

    VersionSpecs(Store store, Targets targets) {
        this.store = store;
        this.targets = targets;
    }

    Optional<Engine> engineOf(DeploymentRow row, Integer version) {
        if (version == null) {
            return Optional.empty();
        }
        return store.version(row.key(), version).flatMap(v -> targets.find(read(v).target()));
    }

    PipelineSpec specOf(DeploymentRow row, int version) {
        return read(store.version(row.key(), version).orElseThrow());
    }

    /** A stored spec with today's defaults: versions stored before a field existed read as if they had its default. */
    static PipelineSpec read(VersionRow version) {
        return Json.read(version.spec, PipelineSpec.class).withDefaults();
    }
}
