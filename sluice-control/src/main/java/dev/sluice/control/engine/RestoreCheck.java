package dev.sluice.control.engine;

import java.util.List;

/**
 * Whether a job can restore a snapshot, decided before anything stops: the snapshot's operators with state that the
 * new job graph lacks ({@code dropped}: restoring would fail, or drop that state with allowNonRestoredState), and
 * other problems (such as a parallelism above the state's maximum), each in words a user can act on.
 */
public record RestoreCheck(String snapshot, List<String> dropped, List<String> problems) {
    /** True when the snapshot restores with nothing dropped and nothing in the way. */
    public boolean clean() {
        return dropped.isEmpty() && problems.isEmpty();
    }

    /** True when restoring works, given whether dropping state is allowed. */
    public boolean restorable(boolean allowNonRestoredState) {
        return problems.isEmpty() && (allowNonRestoredState || dropped.isEmpty());
    }
}
