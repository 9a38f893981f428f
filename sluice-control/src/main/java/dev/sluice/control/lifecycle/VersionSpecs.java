package dev.sluice.control.lifecycle;

import dev.sluice.control.store.VersionRow;
import dev.sluice.model.Json;
import dev.sluice.model.PipelineSpec;

/** Reads stored versions' specs, with today's defaults. */
final class VersionSpecs {
    private VersionSpecs() {}

    /** A stored spec with today's defaults: versions stored before a field existed read as if they had its default. */
    static PipelineSpec read(VersionRow version) {
        return Json.read(version.spec, PipelineSpec.class).withDefaults();
    }
}
