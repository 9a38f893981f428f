package dev.sluice.app.logging;

import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * Drops the Kafka source's warnings about offset commits that failed with a retriable error (the group coordinator is
 * not ready yet at a fresh start, or moved). Flink restores from its own checkpoints, never from those offsets, and
 * commits again at the next checkpoint; a commit that fails for any other reason still shows.
 */
@Plugin(name = "RetriableCommitFilter", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE)
public final class RetriableCommitFilter extends AbstractFilter {
    static final String RETRIABLE = "org.apache.kafka.clients.consumer.RetriableCommitFailedException";

    private RetriableCommitFilter() {
        super(Result.DENY, Result.NEUTRAL);
    }

    @PluginFactory
    public static RetriableCommitFilter create() {
        return new RetriableCommitFilter();
    }

    @Override
    public Result filter(LogEvent event) {
        for (Throwable t = event.getThrown(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (RETRIABLE.equals(t.getClass().getName())) {
                return onMatch;
            }
        }
        return onMismatch;
    }
}
