package dev.sluice.control.store;

import java.util.List;

/** The event log: what happened to each deployment, appended only. */
public interface EventRepository {
    void append(Tx tx, EventRow row);

    void append(EventRow row);

    /** Events, newest first, of one deployment or (name null) of a namespace. */
    List<EventRow> list(String namespace, String name, int limit);
}
