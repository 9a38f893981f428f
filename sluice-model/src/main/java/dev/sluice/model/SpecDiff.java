package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The typed difference between two specs: each changed field with its {@link DiffType}, and the one action a running
 * deployment needs, decided from the largest type and the new spec's upgrade strategy.
 */
public record SpecDiff(List<Change> changes, DiffType type, UpgradeAction action) {

    /** One changed field. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Change(String field, Object from, Object to, DiffType type) {}

    private record Field(String name, Function<PipelineSpec, Object> value, DiffType type) {}

    private static final List<Field> FIELDS = List.of(
            new Field("spec.sql", PipelineSpec::sql, DiffType.UPGRADE),
            new Field("spec.jar", PipelineSpec::jar, DiffType.UPGRADE),
            new Field("spec.parallelism", PipelineSpec::parallelism, DiffType.SCALE),
            new Field("spec.state", PipelineSpec::state, DiffType.STATE),
            new Field("spec.upgradeStrategy", PipelineSpec::upgradeStrategy, DiffType.IGNORE),
            new Field("spec.restoreStrategy", PipelineSpec::restoreStrategy, DiffType.IGNORE),
            new Field("spec.checkpoints.interval", s -> s.checkpoints().interval(), DiffType.UPGRADE),
            // Only read while upgrading a job that cannot take a savepoint.
            new Field("spec.checkpoints.fallbackMaxAge", s -> s.checkpoints().fallbackMaxAge(), DiffType.IGNORE),
            new Field("spec.target", PipelineSpec::target, DiffType.UPGRADE),
            new Field("spec.allowNonRestoredState", PipelineSpec::allowNonRestoredState, DiffType.IGNORE),
            new Field("spec.flinkConfiguration", PipelineSpec::flinkConfiguration, DiffType.UPGRADE),
            new Field("spec.rollback", PipelineSpec::rollback, DiffType.IGNORE),
            new Field("spec.savepoints", PipelineSpec::savepoints, DiffType.IGNORE));

    /** Compares two specs as written, defaults filled in. */
    public static SpecDiff between(PipelineSpec before, PipelineSpec after) {
        PipelineSpec a = before.withDefaults();
        PipelineSpec b = after.withDefaults();
        List<Change> changes = new ArrayList<>();
        DiffType type = DiffType.IGNORE;
        for (Field f : FIELDS) {
            Object from = f.value().apply(a);
            Object to = f.value().apply(b);
            if (!Objects.equals(from, to)) {
                changes.add(new Change(f.name(), from, to, f.type()));
                type = f.type().compareTo(type) > 0 ? f.type() : type;
            }
        }
        return new SpecDiff(List.copyOf(changes), type, action(type, b.upgradeStrategy()));
    }

    private static UpgradeAction action(DiffType type, UpgradeStrategy strategy) {
        if (type.compareTo(DiffType.SCALE) < 0 || strategy == UpgradeStrategy.NONE) {
            return UpgradeAction.NONE;
        }
        if (strategy == UpgradeStrategy.STATELESS) {
            return UpgradeAction.STATELESS_RESTART;
        }
        return type == DiffType.SCALE ? UpgradeAction.RESCALE : UpgradeAction.STATEFUL_UPGRADE;
    }

    /** True when the two specs differ only in the desired state, or not at all. */
    public boolean onlyState() {
        return changes.stream().allMatch(c -> c.type() == DiffType.STATE);
    }
}
