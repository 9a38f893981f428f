package dev.sluice.control.lifecycle;

import dev.sluice.control.store.EventRow;
import dev.sluice.control.store.Store;
import dev.sluice.control.store.Tx;
import dev.sluice.model.DeploymentKey;
import dev.sluice.model.Event;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Records events (and logs them with their deployment and version) for every transition and decision. */
public final class Events {
    private static final Logger LOG = LoggerFactory.getLogger(Events.class);
    private final Store store;
    private final Clock clock;

    public Events(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    public void normal(Tx h, DeploymentKey key, Integer version, String reason, String message, String actor) {
        append(h, key, version, Event.Type.NORMAL, reason, message, actor);
    }

    public void warning(Tx h, DeploymentKey key, Integer version, String reason, String message, String actor) {
        append(h, key, version, Event.Type.WARNING, reason, message, actor);
    }

    private void append(Tx h, DeploymentKey key, Integer version, Event.Type type, String reason, String message,
            String actor) {
        EventRow row = new EventRow();
        row.namespace = key.namespace();
        row.name = key.name();
        row.version = version;
        row.type = type.wire();
        row.reason = reason;
        row.message = message;
        row.actor = actor;
        row.time = clock.millis();
        if (h == null) {
            store.events().append(row);
        } else {
            store.events().append(h, row);
        }
        if (type == Event.Type.WARNING) {
            LOG.warn("[{} v{}] {}: {}", key, version, reason, message);
        } else {
            LOG.info("[{} v{}] {}: {}", key, version, reason, message);
        }
    }
}
