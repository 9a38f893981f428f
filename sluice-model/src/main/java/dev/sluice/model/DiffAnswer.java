package dev.sluice.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * What {@code diff} answers: the version compared against, the diff's type, the action applying would take, the
 * changed fields, and the pre-flight state check when the change carries state over.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiffAnswer(int againstVersion, DiffType type, UpgradeAction action, List<SpecDiff.Change> changes,
        StateCheck stateCheck) {
    /** Can the new plan restore the newest snapshot: which operators' state it would drop, and other problems. */
    public record StateCheck(String snapshot, boolean restorable, List<String> dropped, List<String> problems) {}
}
