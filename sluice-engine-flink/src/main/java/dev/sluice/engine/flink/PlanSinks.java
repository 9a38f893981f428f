package dev.sluice.engine.flink;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.EngineException;
import dev.sluice.control.engine.SinkInfo;
import dev.sluice.model.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the sink tables of a compiled plan (FLIP-190 JSON): what a pipeline writes, and where. */
final class PlanSinks {
    private PlanSinks() {}

    /** A compiled plan's JSON tree; also what {@link ConnectorJars} reads. */
    static JsonNode readPlan(CompiledPipeline pipeline) {
        try {
            return Json.MAPPER.readTree(pipeline.plan());
        } catch (IOException e) {
            throw new EngineException("not a compiled plan: " + e.getMessage(), e);
        }
    }

    static List<SinkInfo> of(CompiledPipeline pipeline) {
        JsonNode plan = readPlan(pipeline);
        List<SinkInfo> sinks = new ArrayList<>();
        for (JsonNode node : plan.path("nodes")) {
            if (!node.path("type").asText().startsWith("stream-exec-sink")) {
                continue;
            }
            JsonNode table = node.path("dynamicTableSink").path("table");
            JsonNode options = table.path("resolvedTable").path("options");
            List<String> key = new ArrayList<>();
            table.path("resolvedTable").path("schema").path("primaryKey").path("columns")
                    .forEach(c -> key.add(c.asText()));
            sinks.add(new SinkInfo(table.path("identifier").asText(), options.path("connector").asText(null),
                    options.path("topic").asText(null), List.copyOf(key)));
        }
        return sinks;
    }
}
