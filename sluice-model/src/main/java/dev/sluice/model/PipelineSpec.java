package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/** What a deployment runs and how (the {@code spec} of a Pipeline document). Fields left out take defaults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PipelineSpec(
        String sql,
        JarSpec jar,
        Integer parallelism,
        DesiredState state,
        UpgradeStrategy upgradeStrategy,
        RestoreStrategy restoreStrategy,
        CheckpointSpec checkpoints,
        String target,
        Boolean allowNonRestoredState,
        Map<String, String> flinkConfiguration,
        RollbackSpec rollback,
        SavepointSpec savepoints) {

    public static final String EMBEDDED_TARGET = "embedded";
    public static final int MAX_PARALLELISM = 1024;

    /** The same spec with every default filled in, so that two specs compare by what they mean. */
    public PipelineSpec withDefaults() {
        return new PipelineSpec(
                sql,
                jar,
                parallelism == null ? 1 : parallelism,
                state == null ? DesiredState.RUNNING : state,
                upgradeStrategy == null ? UpgradeStrategy.STATEFUL : upgradeStrategy,
                restoreStrategy == null ? RestoreStrategy.LATEST_STATE : restoreStrategy,
                checkpoints == null ? new CheckpointSpec(null, null).withDefaults() : checkpoints.withDefaults(),
                target == null ? EMBEDDED_TARGET : target,
                allowNonRestoredState == null ? Boolean.FALSE : allowNonRestoredState,
                flinkConfiguration == null ? Map.of() : flinkConfiguration,
                rollback == null ? RollbackSpec.DEFAULTS : rollback.withDefaults(),
                savepoints);
    }

    /** A spec with only a SQL script; everything else default. */
    public static PipelineSpec ofSql(String sql) {
        return new PipelineSpec(sql, null, null, null, null, null, null, null, null, null, null, null);
    }

    public PipelineSpec withSql(String newSql) {
        return new PipelineSpec(newSql, jar, parallelism, state, upgradeStrategy, restoreStrategy, checkpoints, target,
                allowNonRestoredState, flinkConfiguration, rollback, savepoints);
    }

    public PipelineSpec withParallelism(int newParallelism) {
        return new PipelineSpec(sql, jar, newParallelism, state, upgradeStrategy, restoreStrategy, checkpoints, target,
                allowNonRestoredState, flinkConfiguration, rollback, savepoints);
    }

    public PipelineSpec withState(DesiredState newState) {
        return new PipelineSpec(sql, jar, parallelism, newState, upgradeStrategy, restoreStrategy, checkpoints, target,
                allowNonRestoredState, flinkConfiguration, rollback, savepoints);
    }
}
