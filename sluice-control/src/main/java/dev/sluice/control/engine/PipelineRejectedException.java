package dev.sluice.control.engine;

import dev.sluice.model.InvalidSpecException;
import dev.sluice.model.SpecError;
import java.util.List;

/** The engine refused a pipeline (bad SQL, unknown connector, ...); each error names its statement, line and column. */
public class PipelineRejectedException extends InvalidSpecException {
    public PipelineRejectedException(List<SpecError> errors) {
        super(errors);
    }
}
